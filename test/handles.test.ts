// Slot handles (native/binding/handles.h): the results of the hot ops (unary, binary, scalar) are
// tied to the NDArray that holds them, and small ones are released lazily after collection. These
// tests pin the memory-safety and accounting rules of that path.
import { nd, NDArray } from '../lib';
import { OP } from '../lib/core/ops';
import { native } from '../lib/core/native';
import { runNode } from './helpers/child';

// Small results share a finalizer in pages of this many (ResultPages::kSize).
const PAGE = 16;

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

  test('the op cell: what JS leaves there is checked as arguments are, never dereferenced', () => {
    const x = nd.ones([2, 2]).add(0); // a slot handle
    const cell = native.opCell;
    for (const h of [-1, 2 ** 30, 1e6, 123456]) {
      cell[0] = OP.add;
      cell[1] = h;
      cell[2] = x._h as unknown as number;
      expect(() => native.binaryCell({})).toThrow(/^add: lhs must be an NDArray/);
      cell[1] = x._h as unknown as number;
      cell[2] = h;
      expect(() => native.binaryCell({})).toThrow(/^add: rhs must be an NDArray/);
      cell[0] = OP.exp;
      cell[1] = h;
      expect(() => native.unaryCell({})).toThrow(/^exp: x must be an NDArray/);
      cell[0] = OP.add_scalar;
      expect(() => native.scalarCell(2, {})).toThrow(/^add_scalar: lhs must be an NDArray/);
    }
    for (const id of [-1, 1 << 20]) {
      cell[0] = id;
      cell[1] = x._h as unknown as number;
      cell[2] = x._h as unknown as number;
      expect(() => native.binaryCell({})).toThrow(/^binary: unknown op id/);
      expect(() => native.unaryCell({})).toThrow(/^unary: unknown op id/);
      expect(() => native.scalarCell(1, {})).toThrow(/^scalar: unknown op id/);
    }
    cell[0] = OP.add_scalar;
    cell[1] = x._h as unknown as number;
    expect(() => native.scalarCell('2' as never, {})).toThrow(/^add_scalar: scalar must be a number/);
    const d = x.mul(1);
    d.dispose();
    expect(() => x.add(d)).toThrow(/^add: rhs is an NDArray that was disposed/);
    expect(() => d.add(x)).toThrow(/^add: lhs is an NDArray that was disposed/);
    expect(() => d.exp()).toThrow(/^exp: x is an NDArray that was disposed/);
    expect(() => d.add(1)).toThrow(/^add_scalar: lhs is an NDArray that was disposed/);
  });

  test('slot and External handles mix: each op takes the cell or the argument form', () => {
    const ext = nd.array([1, 2, 3, 4]); // an External handle
    const slot = ext.mul(1); // a slot handle
    expect(typeof ext._h).not.toBe('number');
    expect(typeof slot._h).toBe('number');
    const want = [2, 4, 6, 8];
    for (const [a, b] of [
      [ext, ext],
      [ext, slot],
      [slot, ext],
      [slot, slot],
    ]) {
      expect(Array.from(a.add(b).toTypedArray())).toEqual(want);
      expect(Array.from(a.mul(2).toTypedArray())).toEqual(want);
      expect(Array.from(a.rsub(0).toTypedArray())).toEqual([-1, -2, -3, -4]);
      expect(Array.from(a.square().toTypedArray())).toEqual([1, 4, 9, 16]);
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
    // `a` lives on, and with it the page it shares with the first results of the loop
    // (native/binding/result_pages.h): at most PAGE - 1 dead arrays kept for it. Without the
    // release of lazily kept arrays the count would be in the thousands.
    expect(after).toBeLessThanOrEqual(base + PAGE - 1);
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

describe('result pages', () => {
  test('a small result holds its page token; a larger one is not paged', () => {
    const a = nd.ones([2, 2]);
    const r = a.add(a);
    expect(r._p).toEqual({});
    expect(typeof r._h).toBe('number');
    const big = nd.ones([1000]).add(1);
    expect(big._p).toBeUndefined();
  });

  test('live results keep their arrays whatever their page mates do; all are freed once they die', () => {
    const out = runNode(
      `const { nd } = require('.');
       const a = nd.ones([2, 2]);
       global.gc();
       const base = nd.memory().numArrays;
       // Every loop runs in a function of its own: the interpreter's registers of this frame would
       // keep a loop's last results (and so their pages) alive for the rest of the script.
       // every 7th result kept: each kept one shares its page with dead ones
       let keep = ((list) => {
         for (let i = 0; i < 7000; i++) { const r = a.mul(i); if (i % 7 === 0) list.push([i, r]); }
         return list;
       })([]);
       global.gc(); global.gc();
       const during = nd.memory().numArrays;
       (() => { for (let i = 0; i < 20000; i++) a.add(a).tanh(); })();
       global.gc();
       const wrong = ((list) => list.filter(([i, r]) => r.toTypedArray()[3] !== i).length)(keep);
       const held = keep.length;
       keep = null;
       global.gc(); global.gc();
       const after = nd.memory().numArrays;
       console.log(JSON.stringify({ base, during, after, held, wrong, last: a.toTypedArray()[0] }));`,
      ['--expose-gc'],
    );
    const { base, during, after, held, wrong, last } = JSON.parse(out);
    expect(wrong).toBe(0);
    expect(last).toBe(1);
    expect(during).toBeGreaterThanOrEqual(base + held);
    expect(during).toBeLessThanOrEqual(base + held * PAGE);
    expect(after).toBeLessThanOrEqual(base + PAGE - 1);
  });

  test('a page that never filled is released when its owners die, and the next results open a new one', () => {
    const out = runNode(
      `const { nd } = require('.');
       const a = nd.array([[1, 1], [1, 1]]);  // made from data: not in a page
       const big = nd.ones([100000]);
       global.gc();
       const base = nd.memory().numArrays;
       // each round's page (3 results, then only big ones) dies with its owners, open or not
       const counts = [];
       for (let round = 0; round < 8; round++) {
         (() => { for (let i = 0; i < 3; i++) a.add(a); })();
         global.gc(); global.gc();
         counts.push(nd.memory().numArrays - base);
         big.mul(2);
       }
       const r = a.add(a);
       console.log(JSON.stringify({ counts, value: r.toTypedArray()[0], a: a.toTypedArray()[0] }));`,
      ['--expose-gc'],
    );
    const { counts, value, a } = JSON.parse(out);
    expect(counts).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(value).toBe(2);
    expect(a).toBe(1);
  });

  test('a worker that exits while small results and their pages are alive tears down cleanly', () => {
    // At teardown Node runs the pages' finalizers and the addon's own in an order of its
    // choosing: the open page's weak reference, the page records and the slot table must all go
    // exactly once (npm run test:asan checks the memory side).
    const out = runNode(
      `const { Worker } = require('worker_threads');
       const src = "const { nd } = require(" + JSON.stringify(process.cwd()) + ");" +
         "const a = nd.ones([2, 2]); globalThis.keep = [];" +
         "for (let i = 0; i < 1000; i++) { const r = a.add(i); if (i % 3 === 0) keep.push(r); }" +
         "require('worker_threads').parentPort.postMessage(keep.length + ' ' + keep[333].toTypedArray()[0]);";
       const w = new Worker(src, { eval: true });
       w.on('message', (m) => console.log('kept', m));
       w.on('exit', (code) => console.log('exit', code));`,
    );
    expect(out).toMatch(/kept 334 1000/);
    expect(out).toMatch(/exit 0/);
  });

  test('recorded small results are paged and their gradients stay right', () => {
    const { autograd } = require('../lib') as typeof import('../lib');
    const x = nd.array([0.5, -1, 2, 3]);
    x.attachGrad();
    for (let round = 0; round < 50; round++) {
      const y = autograd.record(() => x.mul(x).add(x).sum());
      expect(y._p).toEqual({});
      y.backward();
      expect(Array.from(x.grad!.toTypedArray())).toEqual([2, -1, 5, 7]);
    }
  });
});

// The cells JS and the addon share (binding.slotCell, binding.opCell) are the addon's own memory,
// in external buffers, which V8 does not let a transfer detach. Cells V8 allocated were detached
// by structuredClone(buffer, { transfer }), and once that clone was collected the addon read and
// wrote freed memory.
test('the shared cells cannot be detached, and ops work after a transfer and a collection', () => {
  const out = runNode(
    `const { nd } = require('.');
     const { native } = require('./dist/core/native');
     const a = nd.ones([2, 2]);
     const b = nd.ones([2, 2]).mul(3);
     for (const name of ['opCell', 'slotCell']) structuredClone(native[name].buffer, { transfer: [native[name].buffer] });
     gc();
     for (let i = 0; i < 200; i++) new ArrayBuffer(1 << 20);
     gc();
     const sums = [a.add(b), a.exp(), a.mul(2), nd.ones([3]).add(nd.ones([3]))].map((r) => Array.from(r.toTypedArray()).join(','));
     console.log(JSON.stringify({ lengths: [native.opCell.length, native.slotCell.length], sums }));`,
    ['--expose-gc'],
  );
  const r = JSON.parse(out);
  expect(r.lengths).toEqual([3, 1]);
  expect(r.sums).toEqual(['4,4,4,4', Array(4).fill(String(Math.fround(Math.E))).join(','), '2,2,2,2', '2,2,2']);
});
