// The crash classes of issue 15, each run in a child process: before its fix each one ended the
// process (segfault, abort, OOM kill), which here fails the test instead of killing jest. After it,
// each is a JS error of the right class naming the op (or a correct result).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import mx, { nd, NDArray } from '../lib';

const root = path.join(__dirname, '..');

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  lines: string[];
}

/**
 * Runs `body` in a child node (the built package is `mx`; `show(f)` prints what f returns or
 * throws as one line), optionally under an address-space limit in KiB (ulimit -v).
 */
function child(body: string, opts: { ulimitKiB?: number; env?: Record<string, string> } = {}): Outcome {
  const script = `
    const mx = require(${JSON.stringify(root)}); const { nd } = mx;
    const show = (f) => { try { const r = f(); console.log('ok ' + (r instanceof mx.NDArray ? JSON.stringify(r.shape) : JSON.stringify(r))); }
      catch (e) { console.log(e.constructor.name + ' ' + e.message); } };
    ${body}`;
  const file = path.join(os.tmpdir(), `ndgrad-crash-${process.pid}-${Math.random().toString(36).slice(2)}.js`);
  fs.writeFileSync(file, script);
  try {
    const cmd = opts.ulimitKiB ? `ulimit -v ${opts.ulimitKiB}; exec "${process.execPath}" "${file}"` : `exec "${process.execPath}" "${file}"`;
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
    if (opts.ulimitKiB) {
      // ASan cannot start under an address-space limit (its shadow memory alone is terabytes), so
      // under npm run test:asan these children run the regular build.
      delete env.LD_PRELOAD;
      delete env.NDGRAD_PREBUILD;
    }
    const r = spawnSync('bash', ['-c', cmd], { cwd: root, encoding: 'utf8', timeout: 120000, env });
    return { status: r.status, signal: r.signal, stderr: r.stderr, lines: r.stdout.trim().split('\n') };
  } finally {
    fs.unlinkSync(file);
  }
}

function survived(o: Outcome): string[] {
  expect({ status: o.status, signal: o.signal, stderr: o.stderr.slice(0, 500) }).toEqual({ status: 0, signal: null, stderr: '' });
  return o.lines;
}

const NO_0D = /^RangeError \S+: (shape|output shape) \(\) has no dimensions; ndgrad has no 0-d arrays/;

describe('0-d arrays (shape []) are rejected at creation everywhere', () => {
  test('transposing what used to be a 0-d array is an error, not a segfault', () => {
    const lines = survived(
      child(`
        show(() => nd.zeros([]).transpose());
        show(() => nd.transpose(nd.ones([])));
        show(() => nd.zeros([]).transpose([]));
        show(() => mx.autograd.record(() => nd.full([], 2).transpose()));
        show(() => nd.ones([1]).reshape([]).transpose());`),
    );
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(NO_0D);
  });

  test('every creation and reshape entry point refuses shape [] with a RangeError naming it', () => {
    const cases: [string, () => unknown][] = [
      ['zeros', () => nd.zeros([])],
      ['ones', () => nd.ones([])],
      ['full', () => nd.full([], 1)],
      ['zeros', () => nd.empty([])],
      ['random_uniform', () => nd.random.uniform({ shape: [] })],
      ['random_uniform', () => nd.random.uniform(0, 1, [])],
      ['random_normal', () => nd.random.normal({ shape: [] })],
      ['random_randint', () => nd.random.randint({ low: 0, high: 3, shape: [] })],
      ['reshape', () => nd.ones([1]).reshape([])],
      ['reshape', () => nd.reshape(nd.ones([1]), [])],
    ];
    for (const [op, f] of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      // (by name: errors from the addon come from another realm under jest)
      expect((err as Error).name).toBe('RangeError');
      expect((err as Error).message).toMatch(new RegExp(`^${op}: (shape|output shape) \\(\\) has no dimensions`));
    }
  });

  test('split with squeezeAxis of a 1-D array gives parts of shape [1], and its gradient has the input shape', () => {
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    const parts = mx.autograd.record(() => nd.split(x, 3, { axis: 0, squeezeAxis: true }));
    expect(parts.map((p) => p.shape)).toEqual([[1], [1], [1]]);
    mx.autograd.backward(parts);
    expect(x.grad?.toArray()).toEqual([1, 1, 1]);
  });

  test('nested-array edge cases keep at least one dimension', () => {
    expect(nd.array([]).shape).toEqual([0]);
    expect(nd.array([[]]).shape).toEqual([1, 0]);
    expect(nd.array([[], []]).shape).toEqual([2, 0]);
    expect(nd.array(5).shape).toEqual([1]);
    expect(nd.zeros([3, 0]).toArray()).toEqual([[], [], []]);
    expect(nd.zeros([2, 0, 2]).toArray()).toEqual([[], []]);
  });
});

describe('size arithmetic cannot overflow', () => {
  test('zero-size arrays obey the same bound as any other, whatever the position of the 0', () => {
    for (const shape of [
      [0, 2 ** 45],
      [2 ** 45, 0],
      [2 ** 30, 0, 2 ** 30],
    ]) {
      expect(() => nd.zeros(shape)).toThrow(/^zeros: shape \(.*\) is too large \(the product of its non-zero dimensions exceeds 2\^40\)$/);
    }
    expect(nd.zeros([0, 2 ** 20]).shape).toEqual([0, 2 ** 20]);
    expect(nd.zeros([2 ** 20, 0]).shape).toEqual([2 ** 20, 0]);
  });

  test('dot of a vector with a zero-size array of huge dimensions is an error (was signed overflow in as_matrix)', () => {
    const lines = survived(
      child(`
        show(() => nd.dot(nd.ones([1]), nd.zeros([0, 2 ** 40, 2 ** 40])));
        show(() => nd.dot(nd.zeros([2 ** 20, 0]), nd.zeros([0, 2 ** 20])).size);`),
    );
    expect(lines[0]).toMatch(/^RangeError zeros: shape \(0,1099511627776,1099511627776\) is too large/);
    expect(lines[1]).toMatch(/^RangeError dot: output of shape \(1048576,1048576\) \(float32\): cannot allocate 4398046511104 bytes/);
  });
});

describe('allocation failures are RangeErrors with the size, never an abort', () => {
  // 3 GB of address space: node and the addon start, a 1.6 GB array fits, a second copy does not.
  const LIMIT = 3_000_000;

  test.each([
    ['toTypedArray', 'x.toTypedArray()', /^RangeError toTypedArray: cannot allocate 1600000000 bytes/],
    ['toArray', 'x.toArray()', /^RangeError toArray: 400000000 elements need about \d+ MiB of JS heap/],
    ['printing', 'String(x)', /^RangeError toTypedArray: cannot allocate 1600000000 bytes/],
    ['nd.save', "nd.save(require('os').tmpdir() + '/ndgrad-never.params', x)", /^RangeError toTypedArray: cannot allocate 1600000000 bytes/],
    ['nd.saveNpy', "nd.saveNpy(require('os').tmpdir() + '/ndgrad-never.npy', x)", /^RangeError toTypedArray: cannot allocate 1600000000 bytes/],
  ])('%s of a 1.6 GB array under ulimit -v', (_label, call, expected) => {
    const lines = survived(child(`const x = nd.ones([4e8]); show(() => ${call});`, { ulimitKiB: LIMIT }));
    expect(lines[0]).toMatch(expected);
  });

  test('an array larger than the address space is a RangeError naming the op and the size', () => {
    const lines = survived(child(`show(() => nd.ones([2e9], { dtype: 'float64' }));`, { ulimitKiB: LIMIT }));
    expect(lines[0]).toMatch(/^RangeError ones: output of shape \(2000000000,\) \(float64\): out of memory allocating 16000000000 bytes$/);
  });

  test('dataView of more than 2^32 bytes is refused (Node frees the memory it cannot wrap: a double free)', () => {
    const lines = survived(child(`show(() => nd.zeros([2 ** 29 + 1], { dtype: 'float64' }).dataView().length);`));
    expect(lines[0]).toMatch(/^RangeError dataView: the array has 4294967304 bytes, more than Node can wrap without a copy/);
  });

  test('nd.eye(2**31) fails at once, before building its index arrays', () => {
    const started = Date.now();
    expect(() => nd.eye(2 ** 31)).toThrow(/^eye: shape \(2147483648,2147483648\) is too large/);
    expect(() => nd.eye(2 ** 19)).toThrow(/^eye: output of shape \(524288,524288\) \(float32\): cannot allocate 1099511627776 bytes: more than the limit maxArrayBytes/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(nd.eye(3, 4, 1).toArray()).toEqual([
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
  });
});

describe('limits that protect a server', () => {
  test('mx.setLimits({ maxArrayBytes }) makes larger arrays a RangeError naming the op and the size', () => {
    const prev = mx.setLimits({ maxArrayBytes: 4096 });
    try {
      expect(prev.maxArrayBytes).toBeGreaterThan(2 ** 20);
      expect(mx.getLimits()).toEqual({ maxArrayBytes: 4096 });
      expect(nd.ones([1024]).size).toBe(1024);
      expect(() => nd.ones([1025])).toThrow(
        /^ones: output of shape \(1025,\) \(float32\): cannot allocate 4100 bytes: more than the limit maxArrayBytes = 4096/,
      );
      const x = nd.ones([600]);
      expect(() => nd.concat(x, x, { dim: 0 })).toThrow(/^concat: output of shape \(1200,\) \(float32\): cannot allocate 4800 bytes/);
      expect(() => nd.array(new Float64Array(600), { dtype: 'float64' })).toThrow(/^array: shape \(600,\) \(float64\): cannot allocate 4800 bytes: more than the limit/);
      expect(() => mx.setLimits({ maxArrayBytes: -1 })).toThrow(RangeError);
      expect(() => mx.setLimits({ maxArrayBytes: 1.5 })).toThrow(RangeError);
    } finally {
      mx.setLimits({ maxArrayBytes: null });
    }
    expect(mx.getLimits().maxArrayBytes).toBe(prev.maxArrayBytes);
    expect(nd.ones([1025]).size).toBe(1025);
  });

  test('NDGRAD_MAX_ARRAY_BYTES sets the limit at load; a bad value is an error naming the variable', () => {
    const lines = survived(child(`show(() => mx.getLimits()); show(() => nd.ones([3]));`, { env: { NDGRAD_MAX_ARRAY_BYTES: '8' } }));
    expect(lines[0]).toBe('ok {"maxArrayBytes":8}');
    expect(lines[1]).toMatch(/^RangeError ones: output of shape \(3,\) \(float32\): cannot allocate 12 bytes: more than the limit maxArrayBytes = 8/);
    const bad = child(`show(() => 1);`, { env: { NDGRAD_MAX_ARRAY_BYTES: 'lots' } });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/RangeError: NDGRAD_MAX_ARRAY_BYTES: maxArrayBytes must be a positive integer/);
  });

  test('the default limit is the physical memory', () => {
    expect(mx.getLimits().maxArrayBytes).toBe(os.totalmem());
  });
});

describe('smaller items (issue 15, "also seen")', () => {
  test('dropout(x, null) uses the defaults; a non-object is a TypeError', () => {
    expect(nd.dropout(nd.ones([4]), null).shape).toEqual([4]);
    expect(() => nd.dropout(nd.ones([4]), 3 as never)).toThrow(/^dropout: options must be an object/);
  });

  test('a BigInt where a dtype goes is a TypeError that spells it', () => {
    const ndAny = nd as unknown as Record<string, (x: unknown, d: unknown) => unknown>;
    expect(() => ndAny.Cast(nd.ones([2]), 10n)).toThrow(/^astype: dtype must be one of 'float32', 'float64', 'int32', 'uint8', got 10n$/);
  });

  test('a typed array over a SharedArrayBuffer is read like any other', () => {
    const shared = new Float32Array(new SharedArrayBuffer(12));
    shared.set([1, 2, 3]);
    expect(nd.array(shared).toArray()).toEqual([1, 2, 3]);
    expect(nd.array(new Int32Array(new SharedArrayBuffer(8)), { dtype: 'int32' }).toArray()).toEqual([0, 0]);
  });

  test('nd.toShape and NDArray#dims are not public', () => {
    expect((nd as unknown as Record<string, unknown>).toShape).toBeUndefined();
    expect((nd.ones([1]) as unknown as Record<string, unknown>).dims).toBeUndefined();
  });
});

describe('files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-never-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A .params list: header, count, the given records, no names. */
  function paramsFile(count: bigint, records: Buffer[], names: string[] = []): Buffer {
    const head = Buffer.alloc(24);
    head.writeBigUInt64LE(0x112n, 0);
    head.writeBigUInt64LE(count, 16);
    const tail = Buffer.alloc(8);
    tail.writeBigUInt64LE(BigInt(names.length));
    const nameParts = names.flatMap((n) => {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(Buffer.byteLength(n)));
      return [len, Buffer.from(n)];
    });
    return Buffer.concat([head, ...records, tail, ...nameParts]);
  }
  // A legacy record of shape (0,): ndim, dim, device type, device id, type flag float32.
  const emptyRecord = Buffer.from(new Int32Array([1, 0, 1, 0, 0]).buffer);

  test('an array count the file cannot hold is refused before any array is made', () => {
    const file = path.join(dir, 'count.params');
    fs.writeFileSync(file, paramsFile(2n ** 50n, [emptyRecord, emptyRecord]));
    const started = Date.now();
    expect(() => nd.load(file)).toThrow(/^load: Invalid NDArray file format: .*count\.params: 1125899906842624 arrays cannot fit in the \d+ bytes left$/);
    expect(Date.now() - started).toBeLessThan(1000);
    fs.writeFileSync(file, paramsFile(2n, [emptyRecord, emptyRecord]));
    expect((nd.load(file) as NDArray[]).map((a) => a.shape)).toEqual([[0], [0]]);
  });

  test('a name that appears twice in a .params file is an error, as in MXNet', () => {
    const file = path.join(dir, 'dup.params');
    fs.writeFileSync(file, paramsFile(2n, [emptyRecord, emptyRecord], ['w', 'w']));
    expect(() => nd.load(file)).toThrow(/^load: Invalid NDArray file format: .*dup\.params: the name 'w' appears twice$/);
    fs.writeFileSync(file, paramsFile(2n, [emptyRecord, emptyRecord], ['w', 'b']));
    expect(Object.keys(nd.load(file))).toEqual(['w', 'b']);
  });

  test('|b1 .npy bytes load as 0 and 1 (NumPy reads any non-zero byte as True)', () => {
    const file = path.join(dir, 'bool.npy');
    const dict = "{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }";
    const header = dict + ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
    const head = Buffer.alloc(10);
    Buffer.from('\x93NUMPY', 'latin1').copy(head);
    head[6] = 1;
    head.writeUInt16LE(header.length, 8);
    fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from([0, 1, 63, 255])]));
    const x = nd.loadNpy(file);
    expect([x.dtype, x.toArray()]).toEqual(['uint8', [0, 1, 1, 1]]);
  });

  test('file errors are JS errors naming the function and the path, with the errno code', () => {
    const x = nd.ones([2]);
    const missing = path.join(dir, 'no', 'such', 'file');
    const cases: [() => unknown, string, RegExp][] = [
      [() => nd.load(missing), 'ENOENT', /^load: cannot read .*no\/such\/file: ENOENT/],
      [() => nd.loadNpy(missing), 'ENOENT', /^loadNpy: cannot read .*no\/such\/file: ENOENT/],
      [() => nd.save(missing, x), 'ENOENT', /^save: cannot write .*no\/such\/file: ENOENT/],
      [() => nd.loadNpy(dir), 'EISDIR', /^loadNpy: cannot read .*ndgrad-never-\w+: EISDIR/],
    ];
    if (fs.existsSync('/dev/full')) {
      cases.push([() => nd.save('/dev/full', x), 'ENOSPC', /^save: cannot write \/dev\/full: ENOSPC/]);
      cases.push([() => nd.saveNpy('/dev/full', x), 'ENOSPC', /^saveNpy: cannot write \/dev\/full: ENOSPC/]);
    }
    for (const [f, code, message] of cases) {
      let err: NodeJS.ErrnoException | undefined;
      try {
        f();
      } catch (e) {
        err = e as NodeJS.ErrnoException;
      }
      expect([err?.code, err?.message]).toEqual([code, expect.stringMatching(message)]);
    }
  });
});
