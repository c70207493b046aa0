// Slot handles (native/binding/handles.h): the results of the hot ops (unary, binary, scalar) are
// tied to the NDArray that holds them, and small ones are released lazily after collection. These
// tests pin the memory-safety and accounting rules of that path.
import { nd, NDArray } from '../lib';
import { OP } from '../lib/core/ops';
import { native } from '../lib/core/native';
import { runNode } from './helpers/child';

describe('slot handles', () => {
  test('op results are usable, disposable and print', () => {
    const a = nd.array([1, 2, 3, 4]);
    const b = nd.array([10, 20, 30, 40]);
    const c = a.add(b).mul(2).exp().log().sub(1);
    expect(Array.from(c.toTypedArray())).toEqual([21, 43, 65, 87]);
    expect(c.shape).toEqual([4]);
    c.dispose();
    expect(c.isDisposed).toBe(true);
    expect(() => c.add(1)).toThrow(/disposed/);
  });

  test('integers that are not live handles are rejected, never dereferenced', () => {
    const x = nd.ones([2, 2]);
    for (const h of [-1, 2 ** 30, 1e6, 123456]) {
      // (the addon's TypeError comes from another realm than jest's, so match the message)
      expect(() => native.binary(OP.add, h as never, x._h)).toThrow(/lhs must be an NDArray/);
      expect(() => native.shape(h as never)).toThrow(/must be an NDArray/);
      expect(() => native.dispose(h as never)).toThrow(/must be an NDArray/);
    }
  });

  test('a result whose op throws is neither tracked by tidy nor leaked', () => {
    const x = nd.ones([2, 3]);
    const y = nd.ones([4]);
    const before = nd.memory().numArrays;
    // Repeated, so that a leak would add thousands of arrays: the collector may meanwhile free
    // unrelated garbage of earlier tests, so the count can only be bounded from above.
    for (let i = 0; i < 2000; i++) {
      nd.tidy(() => {
        expect(() => x.add(y)).toThrow(/broadcast/);
        expect(() => x.exp().mul(nd.ones([3, 2]))).toThrow(/broadcast/);
      });
    }
    expect(nd.memory().numArrays).toBeLessThanOrEqual(before);
  });

  test('without an owner object the hot calls still return a self-owned handle', () => {
    const a = nd.ones([3]);
    const h = native.binary(OP.add, a._h, a._h);
    expect(Array.from(new NDArray(h).toTypedArray())).toEqual([2, 2, 2]);
  });

  test('collected results are released: lazily kept arrays are counted as freed by memory()', () => {
    const out = runNode(
      `const { nd } = require('.');
       const a = nd.ones([2, 2]);
       const big = nd.ones([4096]);
       global.gc();
       const base = nd.memory().numArrays;
       let keep = [];
       for (let i = 0; i < 50000; i++) { const r = a.add(a); if (i % 1000 === 0) keep.push(r); big.mul(2); }
       const held = keep.length;
       keep = null;
       global.gc(); global.gc();
       const after = nd.memory().numArrays;
       console.log(JSON.stringify({ base, after, held }));`,
      ['--expose-gc'],
    );
    const { base, after } = JSON.parse(out);
    expect(after).toBe(base);
  });

  test('a worker that exits with collected but unreleased results tears down cleanly', () => {
    const out = runNode(
      `const { Worker } = require('worker_threads');
       const src = "const { nd } = require(" + JSON.stringify(process.cwd()) + ");" +
         "const a = nd.ones([2, 2]); for (let i = 0; i < 100000; i++) a.add(a).tanh();" +
         "require('worker_threads').parentPort.postMessage(nd.memory().numArrays);";
       const w = new Worker(src, { eval: true });
       w.on('message', (n) => console.log('arrays', n));
       w.on('exit', (code) => console.log('exit', code));`,
    );
    expect(out).toMatch(/arrays \d+/);
    expect(out).toMatch(/exit 0/);
  });
});
