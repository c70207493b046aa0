// Golden tests of every op of the native registry against NumPy-generated data
// (test/fixtures/ops/*.json, regenerate with `python3 test/fixtures/ops/gen_op_fixtures.py`).
//
// Every case runs through the public API, in each spelling that exists: the NDArray method
// (`x.exp()`, `x.sub(y)`, `x.rsub(3)`, `x.sum({ axis })`) and the `nd.<name>` function
// (`nd.exp(x)`, `nd.subtract(3, x)`), and checks dtype, shape and values. Each case also checks
// that its registry op really ran (the native entry points are observed), and the last test
// fails if an op of `native.opInfo()` has no golden case (random ops are tested separately below,
// on ranges, moments and seeding).
//
// TOLERANCE POLICY
// - exact (bit for bit, NaN matches NaN; -0 and +0 compare equal, as NumPy's own choice of the
//   zero's sign is not MXNet's everywhere, e.g. np.sign(-0.) vs round(-0.)): every integer result; every float op
//   that IEEE arithmetic rounds correctly once or that is exact: add subtract multiply divide
//   mod (fmod is exact; the sign fix-up matches NumPy's), negative abs sign square sqrt reciprocal
//   relu floor ceil round trunc maximum minimum, comparisons, max min argmax argmin, shape ops,
//   astype, copy, fills. NumPy computes these in the same dtype (float32 arithmetic for float32).
// - ulp bound, measured against a float64 NumPy reference computed from the same float32 inputs
//   (error |got - ref| / ulp_dtype(ref)); the float32 bounds are the documented bounds of the
//   kernels (native/test/test_kernels.cc, docs/kernels.md): exp log sin cos 1.5 ulp, tanh sigmoid
//   2.5 ulp, two-rounding formulas rsqrt softsign 1.5 ulp, libm calls (expm1 log1p log2 log10 tan
//   arcsin arccos arctan sinh cosh power) 3 ulp. One float32 ulp is 2^-23 relative at most, so these
//   are rtol 1.8e-7 .. 3.6e-7 (tighter than rtol 1e-6). float64: the same bound + 1 ulp for
//   the reference's own error (rtol ~ 5e-16 .. 9e-16). arange float32 (start + i*step in double,
//   rounded once): 0.5 ulp.
// - sums (sum mean norm dot sum_to): |got - ref| <= rtol |ref| + atol with rtol 4 eps and
//   atol = 4 eps * max over outputs of sum |terms| (dot: 2 (k+2) eps sum |a||b|), a bound on the
//   rounding error of any summation order; prod: float32 2^-23 relative (computed in double),
//   float64 64 * 2^-53. These come with each case (`tol`) from the generator.
import { nd, NDArray, random } from '../lib';
import type { DType } from '../lib';
import { native } from '../lib/core/native';
import { invoke } from '../lib/core/dispatch';
import {
  compareValues,
  expectGolden,
  expectGoldenList,
  type GArray,
  type GCase,
  loadFixture,
  toNDArray,
  type Tolerance,
  values,
} from './helpers/golden';

const ndAny = nd as unknown as Record<string, (...args: any[]) => any>;
type AnyArray = NDArray & Record<string, (...args: any[]) => any>;

// ---- tolerance policy ------------------------------------------------------------------------

const ULP_F32: Record<string, number> = {
  exp: 1.5, log: 1.5, sin: 1.5, cos: 1.5, tanh: 2.5, sigmoid: 2.5, rsqrt: 1.5, softsign: 1.5,
  expm1: 3, log1p: 3, log2: 3, log10: 3, tan: 3, arcsin: 3, arccos: 3, arctan: 3, sinh: 3, cosh: 3,
  power: 3, power_scalar: 3, rpower_scalar: 3, arange: 0.5,
};

function toleranceFor(c: GCase, expected: GArray = c.expected): Tolerance {
  if (c.tol) return { kind: 'close', rtol: c.tol.rtol, atol: c.tol.atol };
  const dtype = expected.dtype;
  if (dtype === 'int32' || dtype === 'uint8') return { kind: 'exact' };
  const ulps = ULP_F32[c.op];
  if (ulps === undefined) return { kind: 'exact' };
  if (c.op === 'arange') return { kind: 'ulp', ulps };
  return { kind: 'ulp', ulps: dtype === 'float32' ? ulps : ulps + 1 };
}

// ---- which native ops ran ----------------------------------------------------------------------

// The op ids that reach the addon are recorded by wrapping the binding's entry points (the addon's
// exports are read-only, so the module lib/ talks to is replaced by a wrapper).
jest.mock('../lib/core/native', () => {
  const actual = jest.requireActual('../lib/core/native');
  const names: string[] = actual.native.opInfo().map((o: { name: string }) => o.name);
  const log: Set<string> = ((globalThis as any).__ndgradOpsSeen ??= new Set<string>());
  const wrapped: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(actual.native)) {
    const fn = actual.native[key];
    // (the cell entry points take their op id in opCell[0], written just before the call)
    wrapped[key] =
      typeof fn === 'function' && ['unary', 'binary', 'scalar', 'invoke', 'inplace', 'inplaceScalar'].includes(key)
        ? (op: number, ...rest: unknown[]) => {
            log.add(names[op]);
            return fn.call(actual.native, op, ...rest);
          }
        : typeof fn === 'function' && ['unaryCell', 'binaryCell', 'scalarCell'].includes(key)
          ? (...args: unknown[]) => {
              log.add(names[actual.native.opCell[0]]);
              return fn.apply(actual.native, args);
            }
          : typeof fn === 'function'
            ? fn.bind(actual.native)
            : fn;
  }
  return { ...actual, native: wrapped };
});

const opNames: string[] = native.opInfo().map((o) => o.name);
const seen: Set<string> = ((globalThis as any).__ndgradOpsSeen ??= new Set<string>());
const covered = new Map<string, Set<string>>(); // op -> dtypes with a passing golden case

function record(c: GCase): void {
  if (!seen.has(c.op)) {
    throw new Error(`${c.id}: the registry op '${c.op}' was not invoked (saw ${[...seen].join(', ')})`);
  }
  const dtypes = covered.get(c.op) ?? new Set<string>();
  for (const x of c.inputs ?? []) dtypes.add(x.dtype);
  for (const y of c.outputs ?? [c.expected]) dtypes.add(y.dtype);
  covered.set(c.op, dtypes);
}

// ---- running one case ------------------------------------------------------------------------------

const METHOD_OF_UNARY: Record<string, string> = { negative: 'neg' };
const RMETHOD: Record<string, string> = { subtract: 'rsub', divide: 'rdiv', power: 'rpow' };

function sameInputs(inputs: NDArray[], c: GCase): void {
  // ops never write into their inputs
  inputs.forEach((x, i) => expectGolden(x, c.inputs[i], { kind: 'exact' }, `${c.id}: input ${i} after the call`));
}

/** Every public spelling of the case: [label, thunk]. */
function spellings(c: GCase, xs: NDArray[]): [string, () => unknown][] {
  const a = c.args;
  const x = xs[0] as AnyArray;
  switch (c.call) {
    case 'unary': {
      const m = METHOD_OF_UNARY[c.op] ?? c.op;
      return [
        [`x.${m}()`, () => x[m]()],
        [`nd.${c.op}(x)`, () => ndAny[c.op](x)],
      ];
    }
    case 'binary':
      return [
        [`a.${a.method}(b)`, () => x[a.method](xs[1])],
        [`nd.${a.fn}(a, b)`, () => ndAny[a.fn](xs[0], xs[1])],
      ];
    case 'scalar': {
      const s = a.scalar as number;
      if (a.left) {
        const out: [string, () => unknown][] = [[`nd.${a.fn}(${s}, x)`, () => ndAny[a.fn](s, x)]];
        const rm = RMETHOD[a.fn];
        if (rm) out.push([`x.${rm}(${s})`, () => x[rm](s)]);
        return out;
      }
      return [
        [`x.${a.method}(${s})`, () => x[a.method](s)],
        [`nd.${a.fn}(x, ${s})`, () => ndAny[a.fn](x, s)],
      ];
    }
    case 'reduce': {
      const opts: Record<string, unknown> = { axis: a.axis };
      if (a.keepdims !== undefined) opts.keepdims = a.keepdims;
      if (a.ord !== undefined) opts.ord = a.ord;
      if (a.dtype !== undefined) opts.dtype = a.dtype;
      if (a.ddof !== undefined) opts.ddof = a.ddof;
      const out: [string, () => unknown][] = [
        [`x.${c.op}(${JSON.stringify(opts)})`, () => x[c.op](opts)],
        [`nd.${c.op}(x, ${JSON.stringify(opts)})`, () => ndAny[c.op](x, opts)],
      ];
      if (a.ord === undefined && !a.keepdims && a.dtype === undefined && !a.ddof) {
        if (a.axis === null || a.axis === undefined) out.push([`x.${c.op}()`, () => x[c.op]()]);
        else out.push([`x.${c.op}(${JSON.stringify(a.axis)})`, () => x[c.op](a.axis)]);
      }
      return out;
    }
    case 'create': {
      const opts = a.dtype ? { dtype: a.dtype } : undefined;
      if (c.op === 'full') return [[`nd.full(${JSON.stringify(a.shape)}, ${a.value})`, () => nd.full(a.shape, a.value, opts)]];
      return [[`nd.${c.op}(${JSON.stringify(a.shape)})`, () => ndAny[c.op](a.shape, opts)]];
    }
    case 'arange': {
      const [p, q, r] = a.args as number[];
      const opts = { dtype: a.dtype as DType };
      const out: [string, () => unknown][] = [
        [`nd.arange(${a.args}, ${a.dtype})`, () => nd.arange(p, q ?? null, r ?? 1, opts)],
      ];
      if (a.dtype === 'float32' && a.args.length === 1) out.push([`nd.arange(${p})`, () => nd.arange(p)]);
      if (a.dtype === 'float32' && a.args.length === 2) out.push([`nd.arange(${p}, ${q})`, () => nd.arange(p, q)]);
      return out;
    }
    case 'transpose': {
      const out: [string, () => unknown][] = [
        [`x.transpose(${JSON.stringify(a.axes)})`, () => x.transpose(a.axes)],
        [`nd.transpose(x, ${JSON.stringify(a.axes)})`, () => nd.transpose(x, a.axes)],
      ];
      if (a.axes === null) {
        out.push(['x.transpose()', () => x.transpose()]);
        if (x.ndim >= 2) out.push(['x.T', () => x.T]);
      }
      return out;
    }
    case 'reshape': {
      const out: [string, () => unknown][] = [
        [`x.reshape(${JSON.stringify(a.shape)}, {reverse: ${a.reverse}})`, () => x.reshape(a.shape, { reverse: a.reverse })],
        [`nd.reshape(x, ${JSON.stringify(a.shape)}, {reverse})`, () => nd.reshape(x, a.shape, { reverse: a.reverse })],
      ];
      if (!a.reverse) {
        out.push([`x.reshape(...${JSON.stringify(a.shape)})`, () => x.reshape(...(a.shape as number[]))]);
        out.push([`nd.reshape(x, ${JSON.stringify(a.shape)})`, () => nd.reshape(x, a.shape)]);
      }
      return out;
    }
    case 'slice':
      return [
        [`x.slice(${a.begin}, ${a.end})`, () => x.slice(a.begin, a.end)],
        [`nd.slice(x, ${a.begin}, ${a.end})`, () => nd.slice(x, a.begin, a.end)],
      ];
    case 'at':
      return [
        [`x.at(${a.indices})`, () => x.at(...(a.indices as number[]))],
        [`nd.at(x, ${a.indices})`, () => nd.at(x, ...(a.indices as number[]))],
      ];
    case 'broadcast_to': {
      const out: [string, () => unknown][] = [];
      if (typeof ndAny.broadcastTo === 'function') out.push(['nd.broadcastTo', () => ndAny.broadcastTo(x, a.shape)]);
      if (typeof x.broadcastTo === 'function') out.push(['x.broadcastTo', () => x.broadcastTo(a.shape)]);
      out.push(["invoke('broadcast_to')", () => invoke('broadcast_to', [x], { shape: a.shape })]);
      return out;
    }
    case 'astype':
      return [
        [`x.astype(${a.dtype})`, () => x.astype(a.dtype)],
        [`nd.astype(x, ${a.dtype})`, () => nd.astype(x, a.dtype)],
      ];
    case 'copy':
      return [
        ['x.copy()', () => x.copy()],
        ['nd.copy(x)', () => nd.copy(x)],
        ['nd.array(x)', () => nd.array(x)],
      ];
    case 'dot': {
      const opts = { transposeA: Boolean(a.transposeA), transposeB: Boolean(a.transposeB) };
      const out: [string, () => unknown][] = [[`nd.dot(a, b, ${JSON.stringify(opts)})`, () => nd.dot(xs[0], xs[1], opts)]];
      if (!opts.transposeA && !opts.transposeB) out.push(['nd.dot(a, b)', () => nd.dot(xs[0], xs[1])]);
      if (typeof x.dot === 'function') out.push(['a.dot(b, opts)', () => x.dot(xs[1], opts)]);
      return out;
    }
    case 'softmax': {
      const opts = { axis: a.axis, temperature: a.temperature };
      const m = c.op === 'softmax' ? 'softmax' : 'logSoftmax';
      return [
        [`x.${m}(${JSON.stringify(opts)})`, () => x[m](opts)],
        [`nd.${m}(x, opts)`, () => ndAny[m](x, opts)],
      ];
    }
    case 'pick': {
      const opts = { axis: a.axis };
      return [
        [`x.pick(i, ${JSON.stringify(opts)})`, () => x.pick(xs[1], opts)],
        ['nd.pick(x, i, opts)', () => ndAny.pick(x, xs[1], opts)],
      ];
    }
    case 'one_hot': {
      const opts = { onValue: a.onValue, offValue: a.offValue, dtype: a.dtype };
      return [
        [`nd.oneHot(i, ${a.depth}, ${JSON.stringify(opts)})`, () => ndAny.oneHot(x, a.depth, opts)],
        ['nd.one_hot(i, depth, opts)', () => ndAny.one_hot(x, a.depth, opts)],
      ];
    }
    case 'linspace': {
      const opts = { endpoint: a.endpoint, dtype: a.dtype };
      return [[`nd.linspace(${a.start}, ${a.stop}, ${a.num}, ${JSON.stringify(opts)})`, () => ndAny.linspace(a.start, a.stop, a.num, opts)]];
    }
    case 'where':
      return [['nd.where(cond, x, y)', () => ndAny.where(xs[0], xs[1], xs[2])]];
    case 'concat': {
      const opts = a.dim === null ? {} : { dim: a.dim };
      return [
        [`nd.concat(...xs, ${JSON.stringify(opts)})`, () => ndAny.concat(...xs, opts)],
        ['nd.concat([xs], opts)', () => ndAny.concat(xs, opts)],
        ...(a.dim === null ? [['nd.concat(...xs)', () => ndAny.concat(...xs)] as [string, () => unknown]] : []),
      ];
    }
    case 'stack': {
      const opts = a.axis === null ? {} : { axis: a.axis };
      return [
        [`nd.stack(xs, ${JSON.stringify(opts)})`, () => ndAny.stack(xs, opts)],
        ['nd.stack(...xs, opts)', () => ndAny.stack(...xs, opts)],
      ];
    }
    case 'split': {
      const opts = { ...(a.axis === null ? {} : { axis: a.axis }), squeezeAxis: a.squeezeAxis };
      return [
        [`nd.split(x, ${a.numOutputs}, ${JSON.stringify(opts)})`, () => ndAny.split(x, a.numOutputs, opts)],
        ['x.split(n, opts)', () => x.split(a.numOutputs, opts)],
      ];
    }
    case 'tile':
      return [
        [`x.tile(${JSON.stringify(a.reps)})`, () => x.tile(a.reps)],
        ['nd.tile(x, reps)', () => ndAny.tile(x, a.reps)],
        ...(a.reps.length === 1 ? [['x.tile(number)', () => x.tile(a.reps[0])] as [string, () => unknown]] : []),
      ];
    case 'repeat':
      return [
        [`x.repeat(${a.repeats}, ${a.axis})`, () => x.repeat(a.repeats, a.axis)],
        ['nd.repeat(x, repeats, axis)', () => ndAny.repeat(x, a.repeats, a.axis)],
        ...(a.axis === null ? [['x.repeat(repeats)', () => x.repeat(a.repeats)] as [string, () => unknown]] : []),
      ];
    case 'slice_nd':
      return [[`nd.slice(x, ${JSON.stringify(a)})`, () => ndAny.slice(x, a)]];
    case 'slice_axis':
      return [
        [`nd.sliceAxis(x, ${a.axis}, ${a.begin}, ${a.end})`, () => ndAny.sliceAxis(x, a.axis, a.begin, a.end)],
        ['x.sliceAxis(axis, begin, end)', () => x.sliceAxis(a.axis, a.begin, a.end)],
        ['nd.slice_axis (MXNet alias)', () => ndAny.slice_axis(x, a.axis, a.begin, a.end)],
      ];
    case 'batch_dot': {
      const opts = { transposeA: a.transposeA, transposeB: a.transposeB };
      return [
        [`nd.batchDot(a, b, ${JSON.stringify(opts)})`, () => ndAny.batchDot(xs[0], xs[1], opts)],
        ['nd.batch_dot (MXNet alias)', () => ndAny.batch_dot(xs[0], xs[1], opts)],
      ];
    }
    case 'take': {
      const opts = { axis: a.axis, mode: a.mode };
      const out: [string, () => unknown][] = [
        [`x.take(i, ${JSON.stringify(opts)})`, () => x.take(xs[1], opts)],
        [`nd.take(x, i, ${JSON.stringify(opts)})`, () => nd.take(x, xs[1], opts)],
      ];
      if (a.axis === 0 && a.mode === 'clip') out.push(['nd.take(x, i)', () => nd.take(x, xs[1])]);
      return out;
    }
    case 'topk': {
      const opts = { axis: a.axis, k: a.k, retTyp: a.retTyp, isAscend: a.isAscend, dtype: a.dtype };
      const out: [string, () => unknown][] = [
        [`x.topk(${JSON.stringify(opts)})`, () => x.topk(opts)],
        [`nd.topk(x, ${JSON.stringify(opts)})`, () => nd.topk(x, opts)],
      ];
      if (a.axis === -1 && a.k === 1 && a.retTyp === 'indices' && !a.isAscend && a.dtype === 'float32') {
        out.push(['x.topk()', () => x.topk()]);
      }
      return out;
    }
    case 'sort':
    case 'argsort': {
      const opts: Record<string, unknown> = { axis: a.axis, isAscend: a.isAscend };
      if (c.call === 'argsort') opts.dtype = a.dtype;
      const out: [string, () => unknown][] = [
        [`x.${c.call}(${JSON.stringify(opts)})`, () => x[c.call](opts)],
        [`nd.${c.call}(x, ${JSON.stringify(opts)})`, () => ndAny[c.call](x, opts)],
      ];
      if (a.axis === -1 && a.isAscend && (c.call === 'sort' || a.dtype === 'float32')) {
        out.push([`x.${c.call}()`, () => x[c.call]()]);
      }
      return out;
    }
    case 'conv': {
      const fn = a.fn as string;
      const mx = fn === 'convolution' ? 'Convolution' : 'Deconvolution';
      const snake = Object.fromEntries(
        Object.entries(a.opts as Record<string, unknown>).map(([k, v]) => [k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`), v]),
      );
      const args = a.bias ? [xs[0], xs[1], xs[2]] : [xs[0], xs[1]];
      return [
        [`nd.${fn}(${a.bias ? 'x, w, b' : 'x, w'}, ${JSON.stringify(a.opts)})`, () => ndAny[fn](...args, a.opts)],
        [`nd.${mx}(..., ${JSON.stringify(snake)})`, () => ndAny[mx](...args, snake)],
      ];
    }
    case 'invoke':
      return [[`invoke('${c.op}', ${JSON.stringify(a.attrs)})`, () => invoke(c.op, xs, a.attrs)]];
    case 'fn':
      // nd.<name>(...inputs, ...rest) under each name of the function (a dotted name is in a
      // namespace of nd: 'linalg.potrf'); the MXNet aliases after the first name take mxRest,
      // MXNet's option keys, when the case has it
      return (a.names as string[]).map((name, i): [string, () => unknown] => {
        const fn = name.split('.').reduce((o: any, k) => o[k], nd) as (...args: unknown[]) => unknown;
        const rest = (i > 0 && a.mxRest) || a.rest;
        return [`nd.${name}(...xs, ${JSON.stringify(rest).slice(1, -1)})`, () => fn(...xs, ...rest)];
      });
    default:
      throw new Error(`${c.id}: unknown call kind ${c.call}`);
  }
}

function runCase(c: GCase): void {
  const xs = c.inputs.map(toNDArray);
  seen.clear();
  const tol = toleranceFor(c);
  const forms = spellings(c, xs);
  const failures: string[] = [];
  for (const [label, thunk] of forms) {
    try {
      const y = thunk();
      if (c.outputs) expectGoldenList(y, c.outputs, (w) => toleranceFor(c, w), `${c.id} via ${label}`);
      else expectGolden(y, c.expected, tol, `${c.id} via ${label}`);
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  if (failures.length) throw new Error(failures.join('\n'));
  sameInputs(xs, c);
  record(c);
}

const FAMILIES = ['unary', 'binary', 'scalar', 'reduce', 'creation', 'shape', 'nn', 'join', 'order', 'poolnorm', 'nnact', 'numeric', 'linalg', 'conv', 'conv_relu', 'relu_grad', 'dense'] as const;
const fixtures = Object.fromEntries(FAMILIES.map((f) => [f, loadFixture(f)])) as Record<string, GCase[]>;

for (const family of FAMILIES) {
  describe(`golden ${family}`, () => {
    test.each(fixtures[family].map((c) => [c.id, c] as const))('%s', (_id, c) => runCase(c));
  });
}

// ---- 1000003-element arrays: inputs from a formula, a sample of outputs + a checksum -------------

function largeInput(n: number, offset = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const j = i + offset;
    out[i] = (((j * 7919) % 20011) - 10005) / 1024;
  }
  return out;
}

describe('golden large (SIMD bodies, tails and thread chunks)', () => {
  const cases = loadFixture('large');
  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const n = c.args.n as number;
    const x = nd.array(largeInput(n));
    const y = nd.array(largeInput(n, 17));
    seen.clear();
    const fns: Record<string, () => NDArray> = {
      add: () => x.add(y),
      multiply: () => nd.multiply(x, y),
      exp: () => x.exp(),
      relu: () => nd.relu(x),
      greater: () => x.greater(y),
      sigmoid: () => nd.sigmoid(x),
      sum: () => x.sum(),
    };
    const out = fns[c.op]();
    expect(out.dtype).toBe('float32');
    const tol = toleranceFor(c);
    const flat = out.toTypedArray();
    if (c.op === 'sum') {
      expect(out.shape).toEqual([1]);
      compareValues(flat, values(c.expected), 'float32', tol, c.id);
    } else {
      expect(out.shape).toEqual([n]);
      const idx = c.indices!;
      compareValues(idx.map((i) => flat[i]), values(c.expected), 'float32', tol, c.id, [idx.length], idx);
      // every element: the float64 sum of the output against NumPy's
      let s = 0;
      let mag = 0;
      for (let i = 0; i < flat.length; i++) {
        s += flat[i];
        mag += Math.abs(flat[i]);
      }
      const slack = tol.kind === 'exact' ? 1e-12 : 4e-7;
      expect(Math.abs(s - c.checksum!)).toBeLessThanOrEqual(slack * mag + 1e-9);
      if (tol.kind === 'exact') {
        // exact ops: every element against the same IEEE float32 operation
        const xa = x.toTypedArray();
        const ya = y.toTypedArray();
        const ref: Record<string, (p: number, q: number) => number> = {
          add: (p, q) => Math.fround(p + q),
          multiply: (p, q) => Math.fround(p * q),
          relu: (p) => (p > 0 ? p : 0),
          greater: (p, q) => (p > q ? 1 : 0),
        };
        const f = ref[c.op];
        let bad = -1;
        for (let i = 0; i < flat.length && bad < 0; i++) if (flat[i] !== f(xa[i], ya[i])) bad = i;
        expect(bad).toBe(-1);
      }
    }
    record(c);
  });
});

// ---- semantics that are not a plain value table ------------------------------------------------------

describe('MXNet semantics', () => {
  test('x.T of a 1-D array is the array itself; of 2-D a transposed copy', () => {
    const v = nd.array([1, 2, 3]);
    expect(v.T).toBe(v);
    const m = nd.array([[1, 2, 3], [4, 5, 6]]);
    const t = m.T;
    expect(t.shape).toEqual([3, 2]);
    t.set(0);
    expect(Array.from(m.toTypedArray())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('slice views share memory with their source (write through the view, read the source)', () => {
    const x = nd.arange(12).reshape([4, 3]);
    const v = x.slice(1, 3);
    v.set(-1);
    expect(Array.from(x.toTypedArray())).toEqual([0, 1, 2, -1, -1, -1, -1, -1, -1, 9, 10, 11]);
    const w = nd.slice(x, -1);
    w.addInPlace(100);
    expect(x.at(3).toArray()).toEqual([109, 110, 111]);
  });

  test('at() views share memory, down to one element of shape [1]', () => {
    const x = nd.zeros([2, 3, 4], { dtype: 'int32' });
    const e = x.at(1, 2, 3);
    expect(e.shape).toEqual([1]);
    e.set(7);
    const row = nd.at(x, -1, 0);
    row.set(nd.array([1, 2, 3, 4], { dtype: 'int32' }));
    const flat = Array.from(x.toTypedArray());
    expect(flat[23]).toBe(7);
    expect(flat.slice(12, 16)).toEqual([1, 2, 3, 4]);
    expect(flat.filter((v) => v !== 0).length).toBe(5);
    // writes into the source show through an existing view
    x.set(5);
    expect(e.asScalar()).toBe(5);
  });

  test('reshape is a view (writes are visible both ways); transpose, copy and astype are copies', () => {
    const x = nd.arange(6);
    const r = x.reshape([2, 3]);
    r.at(1).set(9);
    expect(Array.from(x.toTypedArray())).toEqual([0, 1, 2, 9, 9, 9]);
    x.set(1);
    expect(Array.from(r.toTypedArray())).toEqual([1, 1, 1, 1, 1, 1]);
    const c = x.copy();
    const a = x.astype('float32');
    const t = r.transpose();
    c.set(2);
    a.set(3);
    t.set(4);
    expect(Array.from(x.toTypedArray())).toEqual([1, 1, 1, 1, 1, 1]);
  });

  test('broadcast gradients are summed back (sum_to) and slice gradients scattered (slice_rows_grad)', () => {
    const { autograd } = require('../lib');
    const a = nd.array([[1], [2], [3]]);
    const b = nd.array([10, 20, 30, 40]);
    a.attachGrad();
    b.attachGrad();
    // (the engine calls sum_to and slice_rows_grad inside backward(), not through the binding)
    const z = autograd.record(() => a.mul(b).sum());
    z.backward();
    expect(Array.from(a.grad!.toTypedArray())).toEqual([100, 100, 100]);
    expect(Array.from(b.grad!.toTypedArray())).toEqual([6, 6, 6, 6]);
    const x = nd.arange(10).reshape([5, 2]);
    x.attachGrad();
    const y = autograd.record(() => x.slice(1, 3).mul(2).sum());
    y.backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([0, 0, 2, 2, 2, 2, 0, 0, 0, 0]);
  });
});

// ---- random ops: ranges, moments and seeding ----------------------------------------------------

describe('random ops', () => {
  const N = 200003;

  function stats(a: ArrayLike<number>) {
    let s = 0;
    let s2 = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < a.length; i++) {
      s += a[i];
      s2 += a[i] * a[i];
      lo = Math.min(lo, a[i]);
      hi = Math.max(hi, a[i]);
    }
    const mean = s / a.length;
    return { mean, variance: s2 / a.length - mean * mean, lo, hi };
  }

  test.each(['float32', 'float64'] as const)('uniform %s: range [low, high), mean and variance', (dtype) => {
    seen.clear();
    const x = random.uniform({ low: -2, high: 3, shape: [N], dtype });
    expect(seen.has('random_uniform')).toBe(true);
    expect(x.dtype).toBe(dtype);
    expect(x.shape).toEqual([N]);
    const s = stats(x.toTypedArray());
    expect(s.lo).toBeGreaterThanOrEqual(-2);
    expect(s.hi).toBeLessThan(3);
    // 5 sigma bounds: sd of the mean is 5/sqrt(12 N)
    expect(Math.abs(s.mean - 0.5)).toBeLessThan((5 * 5) / Math.sqrt(12 * N));
    expect(Math.abs(s.variance - 25 / 12)).toBeLessThan(0.03);
    // the histogram is flat: 10 bins within 5 sigma of N/10
    const bins = new Array(10).fill(0);
    for (const v of x.toTypedArray()) bins[Math.min(9, Math.floor(((v + 2) / 5) * 10))]++;
    for (const b of bins) expect(Math.abs(b - N / 10)).toBeLessThan(5 * Math.sqrt(N / 10));
    covered.set('random_uniform', new Set([...(covered.get('random_uniform') ?? []), dtype]));
  });

  test('uniform int32 draws integers in [low, high)', () => {
    const x = random.uniform({ low: 0, high: 10, shape: [50000], dtype: 'int32' });
    const s = stats(x.toTypedArray());
    expect(s.lo).toBe(0);
    expect(s.hi).toBe(9);
    expect(Math.abs(s.mean - 4.5)).toBeLessThan(0.07);
  });

  test.each(['float32', 'float64'] as const)('normal %s: mean, variance, skew-free tails', (dtype) => {
    seen.clear();
    const x = random.normal({ loc: 1.5, scale: 2, shape: [N], dtype });
    expect(seen.has('random_normal')).toBe(true);
    expect(x.dtype).toBe(dtype);
    const a = x.toTypedArray();
    const s = stats(a);
    expect(Math.abs(s.mean - 1.5)).toBeLessThan((5 * 2) / Math.sqrt(N));
    expect(Math.abs(s.variance - 4)).toBeLessThan(4 * 5 * Math.sqrt(2 / N));
    let within1 = 0;
    let above = 0;
    for (const v of a) {
      if (Math.abs(v - 1.5) < 2) within1++;
      if (v > 1.5) above++;
    }
    expect(Math.abs(within1 / N - 0.6826894921)).toBeLessThan(0.006);
    expect(Math.abs(above / N - 0.5)).toBeLessThan(0.006);
    covered.set('random_normal', new Set([...(covered.get('random_normal') ?? []), dtype]));
  });

  test('defaults: shape [1], float32; positional MXNet order', () => {
    const u = random.uniform();
    expect(u.shape).toEqual([1]);
    expect(u.dtype).toBe('float32');
    const n = random.normal(0, 1, [2, 3]);
    expect(n.shape).toEqual([2, 3]);
    const z = random.normal({ loc: 3, scale: 0, shape: 4 });
    expect(Array.from(z.toTypedArray())).toEqual([3, 3, 3, 3]);
    const e = random.uniform({ shape: [2, 0, 3] });
    expect(e.shape).toEqual([2, 0, 3]);
  });

  test('seed makes every random op reproducible, and different seeds differ', () => {
    const draw = () => [
      random.uniform({ shape: [1000] }).toTypedArray(),
      random.normal({ shape: [7], dtype: 'float64' }).toTypedArray(),
      random.uniform(-1, 1, [13]).toTypedArray(),
    ];
    random.seed(42);
    const a = draw();
    random.seed(42);
    const b = draw();
    random.seed(43);
    const c = draw();
    a.forEach((v, i) => expect(Array.from(b[i])).toEqual(Array.from(v)));
    expect(Array.from(c[0])).not.toEqual(Array.from(a[0]));
    // nd.random is the same namespace
    nd.random.seed(7);
    const d = nd.random.uniform({ shape: [5] }).toTypedArray();
    random.seed(7);
    expect(Array.from(random.uniform({ shape: [5] }).toTypedArray())).toEqual(Array.from(d));
  });
});

describe('random.shuffle', () => {
  const rowsOf = (x: NDArray): string[] => (x.toArray() as number[][]).map((r) => JSON.stringify(r));

  test.each(['float32', 'float64', 'int32', 'uint8'] as const)('%s: a permutation of the rows, input untouched', (dtype) => {
    const x = nd.arange(0, 60, 1, { dtype }).reshape([20, 3]);
    seen.clear();
    const y = random.shuffle(x);
    expect(seen.has('random_shuffle')).toBe(true);
    expect(y.dtype).toBe(dtype);
    expect(y.shape).toEqual([20, 3]);
    expect(rowsOf(y).sort()).toEqual(rowsOf(x).sort());
    expect(rowsOf(y)).not.toEqual(rowsOf(x)); // 1 / 20! chance of the identity
    expect(Array.from(x.toTypedArray())).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  test('1-D arrays shuffle their elements; empty and one-row arrays come back unchanged', () => {
    const v = nd.arange(100);
    expect(Array.from(nd.random.shuffle(v).toTypedArray()).sort((a, b) => a - b)).toEqual(Array.from(v.toTypedArray()));
    expect(random.shuffle(nd.zeros([0, 3])).shape).toEqual([0, 3]);
    expect(random.shuffle(nd.array([[1, 2, 3]])).toArray()).toEqual([[1, 2, 3]]);
  });

  test('seeded: the same seed gives the same order, another seed another one', () => {
    const x = nd.arange(50);
    random.seed(123);
    const a = Array.from(random.shuffle(x).toTypedArray());
    random.seed(123);
    const b = Array.from(random.shuffle(x).toTypedArray());
    random.seed(124);
    const c = Array.from(random.shuffle(x).toTypedArray());
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  test('n = 3: all 6 orders occur, each with probability 1/6 (5 sigma)', () => {
    random.seed(99);
    const x = nd.array([0, 1, 2]);
    const counts = new Map<string, number>();
    const N = 6000;
    for (let i = 0; i < N; i++) {
      const key = Array.from(random.shuffle(x).toTypedArray()).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    const sd = Math.sqrt((N * (1 / 6) * 5) / 6);
    for (const n of counts.values()) expect(Math.abs(n - N / 6)).toBeLessThan(5 * sd);
  });

  test('each element lands in each position with probability 1/n (n = 10, 5 sigma)', () => {
    random.seed(7);
    const n = 10;
    const N = 5000;
    const hits = new Array(n).fill(0); // position of element 0
    for (let i = 0; i < N; i++) hits[Array.from(random.shuffle(nd.arange(n)).toTypedArray()).indexOf(0)]++;
    const sd = Math.sqrt((N * (1 / n) * (n - 1)) / n);
    for (const h of hits) expect(Math.abs(h - N / n)).toBeLessThan(5 * sd);
  });
});

// ---- coverage --------------------------------------------------------------------------------------

describe('coverage', () => {
  test('every op of the native registry has a golden case that ran it', () => {
    // Random ops are checked statistically (random ops below, test/dropout.test.ts).
    const random_ = new Set(['random_uniform', 'random_normal', 'random_randint', 'random_shuffle', 'dropout']);
    // The ops that write their inputs have their own golden sequences and coverage checks
    // (test/optim-ops.test.ts, test/pool-norm.test.ts), and so has the fused gradient that only
    // backward passes call (norm_grad, test/pool-norm.test.ts).
    const mutating = new Set(native.opInfo().filter((o) => o.flags & 32).map((o) => o.name));
    const missing = opNames.filter((name) => !random_.has(name) && !mutating.has(name) && name !== 'norm_grad' && !covered.has(name));
    expect(missing).toEqual([]);
    const missingRandom = ['random_uniform', 'random_normal'].filter((name) => !covered.has(name));
    expect(missingRandom).toEqual([]);
  });

  test('every fixture case names an op of the registry', () => {
    const names = new Set(opNames);
    const all = [...FAMILIES.flatMap((f) => fixtures[f]), ...loadFixture('large')];
    expect(all.filter((c) => !names.has(c.op)).map((c) => c.id)).toEqual([]);
  });
});
