// Degenerate shapes across every registry op (native.opInfo(), so a new op is swept without
// editing this file): a 0 in each position of 1-4 dimensional inputs, size-1 axes, every axis
// (negative ones too), keepdims on and off, forward and, for the differentiable ops, backward under
// autograd.record. Errors are allowed (NumPy raises on e.g. max of an empty axis) but they must be
// clean JS errors; a crash or an out-of-bounds access is a finding, which this suite shows when it
// runs under the ASan addon (`npm run test:asan -- test/degenerate-shapes`). Where NumPy has a rule
// for the result shape (reductions, scans, elementwise, sort), the shapes are checked too.
// Found this way (session 13): see the "findings" describe block. DEGENERATE_TRACE=1 prints each
// call to stderr before it is made, so the last line names the call that killed the process.
import { autograd, nd, NDArray } from '../lib';
import { invokeMulti } from '../lib/core/dispatch';
import type { OpName } from '../lib/core/ops';
import { native } from '../lib/core/native';

const INFO = native.opInfo();
const SCHEMA = new Map(native.opSchema().map((o) => [o.name, o.fields]));
const FLAG = { zeroGrad: 8, creation: 16, inPlace: 32, random: 8192 };

/** Shapes of 1-4 dimensions: a base shape, a 0 in each position, a 1 in each position, all 1s, two 0s. */
function shapes(): number[][] {
  const out: number[][] = [];
  const base = [2, 3, 4, 5];
  for (let n = 1; n <= 4; n++) {
    const b = base.slice(0, n);
    out.push(b);
    for (let i = 0; i < n; i++) out.push(b.map((d, j) => (j === i ? 0 : d)));
    for (let i = 0; i < n; i++) if (n > 1) out.push(b.map((d, j) => (j === i ? 1 : d)));
    out.push(b.map(() => 1));
    if (n > 1) out.push(b.map((d, j) => (j === 0 || j === n - 1 ? 0 : d)));
    if (n > 1) out.push(b.map((d, j) => (j === n - 1 ? 0 : 1)));
  }
  out.push([1, 1, 0, 17]);
  const seen = new Set<string>();
  return out.filter((s) => !seen.has(String(s)) && !!seen.add(String(s)));
}
const SHAPES = shapes();
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Values away from 0, from integers and inside (-1, 1), so that every op's domain holds. */
function data(shape: readonly number[], dtype: 'float32' | 'float64' = 'float32'): NDArray {
  const n = size(shape);
  if (n === 0) return nd.zeros([...shape], { dtype });
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = 0.15 + 0.7 * (((i * 7) % 11) / 11);
  return nd.array(v, { dtype }).reshape(shape.length ? [...shape] : [0]);
}
const zerosOf = (shape: readonly number[]) => nd.zeros([...shape]);
/** The same values as a view into the middle of a larger array (slice_rows: an offset into its block). */
function viewOf(x: NDArray): NDArray {
  const edge = nd.full([1, ...x.shape.slice(1)], 7, { dtype: x.dtype });
  const big = nd.concat(edge, x, edge, { dim: 0 });
  const [v] = invokeMulti('slice_rows', [big], { begin: 1, end: 1 + x.shape[0]! });
  return v!;
}

type Options = Record<string, unknown>;
interface Call {
  inputs: NDArray[];
  options: Options;
  /** the input shape the options were made for */
  shape: number[];
}

/** Axis-like values for a shape: every axis, negative ones, and none. */
const axes = (s: readonly number[]) => [...s.keys(), ...s.map((_, i) => i - s.length)];

/**
 * Candidate values of each option field, from the input shape; a field not listed takes its
 * default. A required field with no entry here fails the suite, so a new op's required option
 * gets values before the op is swept.
 */
const FIELD_VALUES: Record<string, (s: number[], op: string) => unknown[]> = {
  axis: (s, op) =>
    ['cumsum', 'cumprod', 'sum', 'mean', 'prod', 'max', 'min', 'norm', 'argmax', 'argmin', 'std', 'var', 'pick'].includes(op)
      ? [undefined, null, ...axes(s)]
      : [undefined, ...axes(s)],
  axes: (s, op) => (op === 'transpose' ? [undefined, [...s.keys()].reverse()] : [undefined, [], [0, -1], [-1]]),
  keepdims: () => [false, true],
  shape: (s, op) => (op.endsWith('_grad') || op === 'sum_to' || op === 'scatter_nd' ? [s, s.map(() => 1)] : op === 'reshape' ? [[-1], s, [...s].reverse(), [0, -1]] : [s, s.map((d) => (d === 1 ? 3 : d))]),
  scalar: () => [2],
  value: () => [1.5],
  depth: () => [3, 0],
  reps: (s) => [[2], s.map(() => 1), s.map((_, i) => (i === 0 ? 0 : 2))],
  repeats: () => [2, 0],
  numOutputs: (s) => [1, ...new Set(s.filter((d) => d > 1))],
  begin: (s, op) => (op.startsWith('slice_rows') ? [0, 1] : op === 'slice_axis' ? [0, -1] : [[0], s.map(() => 0), [null]]),
  end: (s, op) => (op.startsWith('slice_rows') || op === 'slice_axis' ? [null, 1] : [[null], s.map(() => null), [1]]),
  step: () => [undefined],
  k: (s, op) => (op === 'topk' ? [1, 0, s[s.length - 1]] : [0, 1, -1]),
  dtype: (_s, op) => (op === 'astype' ? ['float64', 'int32', 'uint8'] : [undefined]),
  scale: (_s, op) => (op === 'up_sampling' ? [2] : [undefined]),
  lr: () => [0.1],
  lrs: () => [[0.1, 0.1]],
  wds: () => [[0, 0]],
  etas: () => [[1, 1]],
  t: () => [1],
  wd: (_s, op) => (op === 'lamb_update_phase1' ? [0] : [undefined]),
  kernel: (s) => [s.length >= 3 ? s.slice(2).map(() => 1) : [1], s.length >= 3 ? s.slice(2).map(() => 2) : [2]],
  globalPool: () => [false, true],
  numFilter: () => [2],
  numGroups: () => [1],
  padWidth: (s) => [s.flatMap((_, i) => (i < 2 ? [0, 0] : [1, 1]))],
  actType: (_s, op) => (op === 'leaky_relu' ? ['leaky', 'elu'] : ['relu', 'softrelu']),
  inputDim: () => [3],
  outputDim: () => [2],
  offset: () => [0, 1],
  start: () => [0],
  stop: () => [0, 3],
  num: () => [0, 3],
  low: (_s, op) => (op === 'random_randint' ? [0] : [undefined]),
  high: (_s, op) => (op === 'random_randint' ? [3] : [undefined]),
};

function* product(lists: [string, unknown[]][]): Generator<Options> {
  if (!lists.length) {
    yield {};
    return;
  }
  const [[key, values], ...rest] = lists;
  for (const v of values) for (const o of product(rest)) yield v === undefined ? o : { [key]: v, ...o };
}

function optionSets(op: string, s: number[]): Options[] {
  const fields = SCHEMA.get(op) ?? [];
  const lists: [string, unknown[]][] = [];
  for (const f of fields) {
    const gen = FIELD_VALUES[f.name];
    if (!gen) {
      if (f.required) throw new Error(`degenerate-shapes: ${op} requires option ${f.name}; add its values to FIELD_VALUES`);
      continue;
    }
    lists.push([f.name, gen(s, op)]);
  }
  return [...product(lists)].slice(0, 64);
}

/** Input lists for an op, from a shape; most ops take copies of one shape, some need fitting ones. */
function inputsFor(op: string, arity: number, s: number[]): { inputs: NDArray[]; shape: number[] }[] {
  const last = s[s.length - 1]!;
  const c = s[1] ?? 1;
  switch (op) {
    case 'dot':
    case 'linalg_gemm2':
    case 'linalg_trmm':
    case 'linalg_trsm':
      return s.length === 2 ? [{ inputs: [data(s), data([last, s[0]!])], shape: s }, { inputs: [data([s[0]!, s[0]!]), data(s)], shape: s }] : [];
    case 'linalg_gemm':
      return s.length === 2 ? [{ inputs: [data(s), data([last, s[0]!]), data([s[0]!, s[0]!])], shape: s }] : [];
    case 'batch_dot':
      return s.length === 3 ? [{ inputs: [data(s), data([s[0]!, last, s[1]!])], shape: s }] : [];
    case 'linalg_syrk':
    case 'linalg_potrf':
    case 'linalg_potri':
    case 'linalg_sumlogdiag':
    case 'linalg_inverse':
    case 'linalg_det':
    case 'linalg_slogdet':
    case 'linalg_syevd':
    case 'linalg_extractdiag':
    case 'linalg_copytri': {
      // square (batches of) matrices: the last two dims made equal
      if (s.length < 2) return [];
      const sq = [...s.slice(0, -1), s[s.length - 2]!];
      const eye = nd.eye(sq[sq.length - 1]!);
      return [{ inputs: [nd.broadcastTo(eye.add(data([sq[sq.length - 1]!, sq[sq.length - 1]!]).mul(0.01)), sq)], shape: sq }];
    }
    case 'pick':
      return s.length < 2 ? [] : s.map((_, ax) => ({ inputs: [data(s), zerosOf(s.filter((__, i) => i !== ax))], shape: s }));
    case 'take':
    case 'take_along_axis':
    case 'gather_nd':
      return [{ inputs: [data(s), zerosOf(op === 'gather_nd' ? [1, ...s.slice(1)] : s)], shape: s }];
    case 'take_grad':
    case 'take_along_axis_grad':
    case 'scatter_nd':
      return [{ inputs: [data(s), zerosOf(op === 'scatter_nd' ? [1, ...s] : s)], shape: s }];
    case 'one_hot':
      return [{ inputs: [zerosOf(s)], shape: s }];
    case 'embedding':
      return [{ inputs: [zerosOf(s), data([3, 2])], shape: s }];
    case 'embedding_grad':
      return [{ inputs: [data([...s, 2]), zerosOf(s)], shape: s }];
    case 'sequence_mask':
      return s.length >= 2 ? [{ inputs: [data(s), nd.ones([s[1]!])], shape: s }, { inputs: [data(s)], shape: s }] : [];
    case 'batch_norm':
      return s.length >= 2 ? [{ inputs: [data(s), ...[0, 1, 2, 3].map(() => data([c]))], shape: s }] : [];
    case 'layer_norm':
      return [{ inputs: [data(s), data([last]), data([last])], shape: s }];
    case 'instance_norm':
    case 'group_norm':
      return s.length >= 2 ? [{ inputs: [data(s), data([c]), data([c])], shape: s }] : [];
    case 'fully_connected':
      return s.length === 2 ? [{ inputs: [data(s), data([3, last]), data([3])], shape: s }, { inputs: [data(s), data([0, last])], shape: s }] : [];
    case 'softmax_ce_loss':
      return s.length === 2 ? [{ inputs: [data(s), zerosOf([s[0]!])], shape: s }] : [];
    case 'softmax_ce_grad':
      return s.length === 2 ? [{ inputs: [data(s), zerosOf([s[0]!]), data([s[0]!, 1])], shape: s }] : [];
    case 'diag_grad':
      return s.length >= 2 ? [{ inputs: [nd.diag(data(s))], shape: s }] : [{ inputs: [nd.diag(data(s))], shape: s }];
    case 'convolution':
    case 'convolution_relu':
    case 'deconvolution':
      if (s.length < 3) return [];
      return [
        {
          inputs: [data(s), data(op === 'deconvolution' ? [c, 2, ...s.slice(2).map(() => 1)] : [2, c, ...s.slice(2).map(() => 1)]), data([2])].slice(0, op === 'deconvolution' ? 2 : 3),
          shape: s,
        },
      ];
    case 'conv_weight_grad':
      return s.length >= 3 ? [{ inputs: [data(s), data([s[0]!, 2, ...s.slice(2)])], shape: s }] : [];
    case 'pooling_grad':
    case 'pooling_select':
      return s.length >= 3 ? [{ inputs: [data(s), data(s)], shape: s }] : [];
    case 'multi_sgd_update':
      return [{ inputs: [data(s), data(s), data(s), data(s)], shape: s }];
    case 'multi_sgd_mom_update':
      return [{ inputs: [0, 1, 2, 3, 4, 5].map(() => data(s)), shape: s }];
    case 'multi_adamw_update':
      return [{ inputs: [0, 1, 2, 3, 4, 5, 6, 7].map(() => data(s)), shape: s }];
    case 'concat':
    case 'stack':
    case 'add_n':
      return [{ inputs: [data(s), data(s), data(s)], shape: s }];
    default: {
      const n = arity < 0 ? 1 : arity;
      const list = [{ inputs: Array.from({ length: n }, () => data(s)), shape: s }];
      // broadcasting partners: a 1 in place of each dimension
      if (n === 2 && INFO.find((o) => o.name === op)!.flags & 64) {
        for (let i = 0; i < s.length; i++) list.push({ inputs: [data(s), data(s.map((d, j) => (i === j ? 1 : d)))], shape: s });
      }
      return list;
    }
  }
}

function calls(op: string, arity: number, flags: number): Call[] {
  const out: Call[] = [];
  if (flags & FLAG.creation) {
    for (const s of SHAPES) for (const options of optionSets(op, s)) out.push({ inputs: [], options, shape: s });
    return out;
  }
  for (const s of SHAPES) {
    for (const { inputs, shape } of inputsFor(op, arity, s)) {
      for (const options of optionSets(op, shape)) out.push({ inputs, options, shape });
    }
  }
  return out;
}

/** NumPy's result shape of a reduction. */
function reduced(s: number[], axis: unknown, keepdims: boolean): number[] {
  const list = axis === undefined || axis === null ? [...s.keys()] : (Array.isArray(axis) ? axis : [axis]).map((a: number) => (a + s.length) % s.length);
  if (Array.isArray(axis) && axis.length === 0) return s; // MXNet: () reduces nothing
  return keepdims ? s.map((d, i) => (list.includes(i) ? 1 : d)) : s.filter((_, i) => !list.includes(i));
}

const REDUCTIONS = ['sum', 'mean', 'prod', 'max', 'min', 'norm', 'argmax', 'argmin', 'std', 'var'];
/** Reductions that NumPy defines on an empty axis (max/min/argmax/argmin raise there). */
const EMPTY_OK = ['sum', 'mean', 'prod', 'norm', 'std', 'var'];

/** The shape checks where NumPy has a rule; throws on a mismatch. */
function checkShapes(op: string, c: Call, outs: NDArray[]): void {
  const s = c.shape;
  const o = c.options;
  const shape0 = outs[0]!.shape;
  if (REDUCTIONS.includes(op)) {
    let want = reduced(s, o.axis, o.keepdims === true);
    if (want.length === 0) want = [1]; // ndgrad has no 0-d arrays: a full reduction is shape [1]
    expect([op, c, shape0]).toEqual([op, c, want]);
    if (['sum', 'prod'].includes(op) && size(want) > 0 && size(s) === 0) {
      expect([op, new Set(outs[0]!.toArray().toString().split(','))]).toEqual([op, new Set([op === 'sum' ? '0' : '1'])]);
    }
  } else if (op === 'cumsum' || op === 'cumprod') {
    expect([op, c, shape0]).toEqual([op, c, o.axis === undefined || o.axis === null ? [size(s)] : s]);
  } else if (['softmax', 'log_softmax', 'sort', 'argsort', 'reverse', 'copy', 'astype', 'l2_normalization'].includes(op)) {
    expect([op, c, shape0]).toEqual([op, c, s]);
  }
}

const CHECK_EMPTY_AXIS_SUCCEEDS = (op: string, c: Call): boolean => EMPTY_OK.includes(op) || (REDUCTIONS.includes(op) && size(c.shape) > 0) || op === 'cumsum' || op === 'cumprod';
/** Pooling over an empty spatial axis has only empty windows: an error (PyTorch), never a value (session 14: global avg gave NaN). */
const MUST_RAISE = (op: string, c: Call): boolean => ['pooling', 'pooling_grad', 'pooling_select'].includes(op) && c.shape.length >= 3 && c.shape.slice(2).includes(0);

function run(op: string, c: Call, record: boolean): NDArray[] {
  if (process.env.DEGENERATE_TRACE) require('fs').writeSync(2, `${op} ${JSON.stringify(c.inputs.map((x) => [x.dtype, x.shape]))} ${JSON.stringify(c.options)} ${record}\n`);
  const inputs = c.inputs;
  if (!record) return invokeMulti(op as OpName, inputs, c.options);
  const leaves = inputs.map((x) => x.copy());
  for (const x of leaves) if (x.dtype === 'float32') x.attachGrad();
  const outs = autograd.record(() => invokeMulti(op as OpName, leaves, c.options));
  autograd.backward(outs);
  leaves.forEach((x, i) => {
    if (x.grad) expect([op, c.options, i, x.grad.shape]).toEqual([op, c.options, i, x.shape]);
  });
  return outs;
}

const OPS = INFO.map((o, i) => ({ ...o, id: i }));

describe.each(OPS.map((o) => [o.name, o] as const))('%s on degenerate shapes', (name, info) => {
  test('forward and backward: results or clean errors, NumPy shapes', () => {
    const list = calls(name, info.numInputs, info.flags);
    const differentiable = !(info.flags & (FLAG.zeroGrad | FLAG.creation | FLAG.inPlace | FLAG.random));
    let succeeded = 0;
    let firstError = '';
    for (const c0 of list) {
      // float32 forward, backward when differentiable, and forward in the other dtypes on the
      // degenerate shapes (the integer and float64 kernels are other code paths)
      const degenerate = c0.shape.includes(0) || c0.shape.every((d) => d === 1);
      const variants: [boolean, string | undefined][] = [[false, undefined]];
      if (differentiable) variants.push([true, undefined]);
      if (degenerate && c0.inputs.length) for (const dt of ['float64', 'int32', 'uint8', 'view']) variants.push([false, dt]);
      for (const [record, dtype] of variants) {
        const c = dtype === 'view' ? { ...c0, inputs: c0.inputs.map(viewOf) } : dtype ? { ...c0, inputs: c0.inputs.map((x) => x.astype(dtype as 'float64')) } : c0;
        let outs: NDArray[] | undefined;
        try {
          outs = run(name, c, record);
        } catch (e) {
          if ((e as { matcherResult?: unknown }).matcherResult) throw e; // an expect() inside run
          const msg = (e as Error).message;
          // a clean error names the op (or the public function that checked the call)
          expect([name, c.shape, c.options, record, dtype, (e as Error).name, /^[\w.]+: /.test(msg) ? 'names its op' : msg]).toEqual([
            name,
            c.shape,
            c.options,
            record,
            dtype,
            expect.stringMatching(/Error$/),
            'names its op',
          ]);
          firstError ||= `${JSON.stringify(c.inputs.map((x) => x.shape))} ${JSON.stringify(c.options)}: ${msg}`;
          if (!record && !dtype && CHECK_EMPTY_AXIS_SUCCEEDS(name, c)) throw new Error(`${name} ${JSON.stringify(c)} raised where NumPy does not: ${msg}`);
          continue;
        }
        if (MUST_RAISE(name, c)) throw new Error(`${name} ${JSON.stringify(c.inputs.map((x) => x.shape))} ${JSON.stringify(c.options)} pooled empty windows instead of raising`);
        succeeded += 1;
        if (!record && outs.length) checkShapes(name, c, outs);
        for (const o of outs) o.toTypedArray(); // read every result element
      }
    }
    // every op has at least one degenerate call that works (or the sweep does not reach it)
    if (list.length) expect([name, succeeded > 0 || firstError]).toEqual([name, true]);
  });
});

describe('findings of the sweep (session 13)', () => {
  test('norm_grad called directly checks its inputs against its layout (was a read past zero-size inputs, SIGSEGV)', () => {
    // The registry op is the backward of the normalizations; a direct call gets the default layout
    // (one element per input), which zero-size inputs do not have.
    const z = nd.zeros([0]);
    expect(() => invokeMulti('norm_grad', [z, z, z, z, z, z, z])).toThrow(/^norm_grad: dy must be float32 or float64 of 1 elements with x's dtype .* got float32 \(0,\)$/);
    const one = nd.ones([1]);
    expect(() => invokeMulti('norm_grad', [one, one, one, one, one, one, nd.ones([1], { dtype: 'float64' })])).toThrow(/^norm_grad: dspread must be/);
    expect(invokeMulti('norm_grad', [one, one, one, one, one, one, one]).map((g) => g.shape)).toEqual([[1], [1], [1]]);
  });

  test('pick from an empty axis with a non-empty index is an error (clamping into [0, -1] read before the data)', () => {
    const x = nd.zeros([0, 3]);
    expect(() => nd.pick(x, nd.zeros([3]), { axis: 0 })).toThrow(/^pick: cannot pick from axis 0 of size 0 \(shape \(0,3\)\)$/);
    expect(() => x.T.pick(nd.zeros([3]), { axis: -1, keepdims: true })).toThrow(/^pick: cannot pick from axis 1 of size 0/);
    // nothing to pick: an empty result, as before
    expect(nd.pick(nd.zeros([0, 3]), nd.zeros([0]), { axis: 1 }).shape).toEqual([0]);
    expect(nd.pick(nd.zeros([0, 0]), nd.zeros([0]), { axis: 1 }).shape).toEqual([0]);
  });
});

// The public surface as the fuzzer enumerates it (test/fuzz/program.js `surface`): every nd
// function and NDArray method on arrays of the same shapes, with the argument patterns of the
// common call forms (an axis, an options object with axis and keepdims, a second array, a
// number, a shape); results are read and printed. Only errors that are not clean fail here.
describe('public functions and methods on degenerate shapes', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { surface } = require('./fuzz/program') as { surface: (m: unknown) => { ndFns: string[]; methods: string[]; randomFns: string[] } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mx = require('../lib');
  const names = surface(mx.default ?? mx);
  // the degenerate shapes only (a 0 somewhere, or all 1s), to keep this part quick
  const PUBLIC_SHAPES = SHAPES.filter((sh) => sh.includes(0) || sh.every((d) => d === 1));
  const SKIP = new Set(['dispose', 'attachGrad', 'backward', 'detach', 'waitToRead', 'asInContext', 'copyto', 'dataView', 'toString']);
  const patterns = (x: NDArray, s: number[]): unknown[][] => [
    [],
    ...axes(s).flatMap((a) => [[a], [{ axis: a }], [{ axis: a, keepdims: true }]]),
    [{ axis: null, keepdims: true }],
    [[0, -1]],
    [x],
    [x.copy(), x.copy()],
    [2],
    [s],
    [s.map(() => 1)],
  ];
  const check = (label: string, f: () => unknown) => {
    let r: unknown;
    try {
      r = f();
    } catch (e) {
      expect([label, (e as Error).name, /^[\w.#]+( \([\w ]+\))?: /.test((e as Error).message) ? 'names its function' : (e as Error).message]).toEqual([
        label,
        expect.stringMatching(/Error$/),
        'names its function',
      ]);
      return;
    }
    for (const o of Array.isArray(r) ? r : [r]) {
      if (o instanceof NDArray && !o.isDisposed) {
        o.toTypedArray();
        String(o);
      }
    }
  };
  test.each(names.ndFns.filter((n) => !SKIP.has(n)))('nd.%s', (fn) => {
    const f = (nd as unknown as Record<string, (...a: unknown[]) => unknown>)[fn]!;
    for (const s of PUBLIC_SHAPES) {
      const x = data(s);
      for (const args of patterns(x, s)) check(`nd.${fn}(${JSON.stringify(s)}, ${JSON.stringify(args.map((a) => (a instanceof NDArray ? a.shape : a)))})`, () => f(x, ...args));
    }
  });
  test.each(names.methods.filter((n) => !SKIP.has(n)))('NDArray#%s', (fn) => {
    for (const s of PUBLIC_SHAPES) {
      const x = data(s);
      for (const args of patterns(x, s)) {
        check(`x.${fn}(${JSON.stringify(s)}, ${JSON.stringify(args.map((a) => (a instanceof NDArray ? a.shape : a)))})`, () => (x as unknown as Record<string, (...a: unknown[]) => unknown>)[fn]!(...args));
      }
    }
  });
  test.each(names.randomFns)('nd.random.%s', (fn) => {
    const f = (nd.random as unknown as Record<string, (...a: unknown[]) => unknown>)[fn]!;
    for (const s of PUBLIC_SHAPES) {
      const x = data(s);
      for (const args of [[s], [0, 1, s], [{ shape: s }], [x], [x, x], [x, s], [x, 2], [x, { shape: s }]]) check(`nd.random.${fn}(${JSON.stringify(args)})`, () => f(...args));
    }
  });
});
