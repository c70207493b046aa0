// The fused optimizer updates (lib/nd/optim.ts, native/core/ops/ops_optim.cc) against float64
// NumPy transcriptions of MXNet 1.9's kernels (test/fixtures/optim/gen_optim_fixtures.py): three
// steps in a row per case, with weight decay, clipping and rescaling, in float64 (tight) and
// float32; then the in-place contract (version counters, refusal under record, aliasing) and bad
// arguments.
import * as fs from 'fs';
import * as path from 'path';
import { autograd, nd, NDArray } from '../lib';
import type { DType } from '../lib';
import { native } from '../lib/core/native';
import { ND_ALIASES } from '../lib/core/aliases';

interface FArray {
  shape: number[];
  data: number[];
}
interface OpCase {
  id: string;
  op: string;
  states: string[];
  options: Record<string, unknown>;
  mxnetOptions: Record<string, unknown>;
  init: Record<string, FArray> | Record<string, FArray>[];
  steps: Record<string, FArray>[] | Record<string, FArray>[][];
}

const FIXTURES = path.join(__dirname, 'fixtures', 'optim');
const CASES: OpCase[] = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ops.json'), 'utf8')).cases;
const ndAny = nd as unknown as Record<string, (...args: unknown[]) => unknown>;

const TOL: Record<DType, { rtol: number; atol: number }> = {
  float64: { rtol: 1e-11, atol: 1e-13 },
  float32: { rtol: 2e-5, atol: 2e-6 },
} as Record<DType, { rtol: number; atol: number }>;

function make(a: FArray, dtype: DType): NDArray {
  const data = dtype === 'float64' ? Float64Array.from(a.data) : Float32Array.from(a.data);
  return nd.array(data, { dtype }).reshape(a.shape).copy();
}

function expectClose(got: NDArray, want: FArray, dtype: DType, what: string): void {
  expect(got.shape).toEqual(want.shape);
  const g = got.toTypedArray();
  const { rtol, atol } = TOL[dtype];
  let worst = 0;
  let at = -1;
  want.data.forEach((w, i) => {
    const excess = Math.abs(g[i] - w) - (rtol * Math.abs(w) + atol);
    if (!(excess <= worst)) {
      worst = excess;
      at = i;
    }
  });
  if (at >= 0) throw new Error(`${what}: element ${at} is ${g[at]}, expected ${want.data[at]} (${dtype}, rtol ${rtol})`);
}

/** The update ops' nd functions, from their MXNet-name aliases. */
const CAMEL: Record<string, string> = Object.fromEntries(
  Object.entries(ND_ALIASES).filter(([mx]) => mx.endsWith('_update') || mx.startsWith('lamb_update')),
);

/** Ops the fixtures ran, for the coverage check below. */
const ran = new Set<string>();

describe.each(['float64', 'float32'] as DType[])('%s: several steps against MXNet formulas', (dtype) => {
  test.each(CASES.map((c) => [c.id, c] as const))('%s', (_, c) => {
    if (c.op === 'lamb') return runLamb(c, dtype);
    if (c.op.startsWith('multi_')) return runMulti(c, dtype);
    const init = c.init as Record<string, FArray>;
    const weight = make(init.weight, dtype);
    const states = c.states.map((n) => make(init[n], dtype));
    (c.steps as Record<string, FArray>[]).forEach((step, k) => {
      const grad = make(step.grad, dtype);
      // Alternate the camelCase function and options with MXNet's name and snake_case keys.
      const [fn, opts] = k % 2 === 0 ? [CAMEL[c.op], c.options] : [c.op, c.mxnetOptions];
      const out = ndAny[fn](weight, grad, ...states, opts);
      expect(out).toBe(weight);
      expectClose(weight, step.weight, dtype, `${c.id} step ${k} weight`);
      c.states.forEach((n, i) => expectClose(states[i], step[n], dtype, `${c.id} step ${k} ${n}`));
    });
    ran.add(c.op);
  });
});

function runLamb(c: OpCase, dtype: DType): void {
  const init = c.init as Record<string, FArray>;
  const weight = make(init.weight, dtype);
  const [mean, variance] = [make(init.mean, dtype), make(init.var, dtype)];
  const o = c.options;
  (c.steps as Record<string, FArray>[]).forEach((step, k) => {
    const grad = make(step.grad, dtype);
    const phase1 = { wd: o.wd, t: k + 1, ...pick(o, ['beta1', 'rescaleGrad', 'clipGradient', 'biasCorrection']) };
    const d = nd.lambUpdatePhase1(weight, grad, mean, variance, phase1 as never);
    expectClose(d, step.direction, dtype, `${c.id} step ${k} direction`);
    expectClose(mean, step.mean, dtype, `${c.id} step ${k} mean`);
    expectClose(variance, step.var, dtype, `${c.id} step ${k} var`);
    const phase2 = { lr: o.lr, ...pick(o, ['lowerBound', 'upperBound']) };
    expect(nd.lambUpdatePhase2(weight, d, weight.norm(), d.norm(), phase2 as never)).toBe(weight);
    expectClose(weight, step.weight, dtype, `${c.id} step ${k} weight`);
  });
  ran.add('lamb_update_phase1');
  ran.add('lamb_update_phase2');
}

function runMulti(c: OpCase, dtype: DType): void {
  const init = c.init as Record<string, FArray>[];
  const weights = init.map((g) => make(g.weight, dtype));
  const states = c.states.map((n) => init.map((g) => make(g[n], dtype)));
  (c.steps as Record<string, FArray>[][]).forEach((step, k) => {
    const grads = step.map((s) => make(s.grad, dtype));
    const out = ndAny[CAMEL[c.op]](weights, grads, ...states, k % 2 === 0 ? c.options : c.mxnetOptions);
    expect(out).toBe(weights);
    step.forEach((s, i) => {
      expectClose(weights[i], s.weight, dtype, `${c.id} step ${k} weight ${i}`);
      c.states.forEach((n, j) => expectClose(states[j][i], s[n], dtype, `${c.id} step ${k} ${n} ${i}`));
    });
  });
  ran.add(c.op);
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

describe('coverage', () => {
  test('every mutating op of the registry ran against golden data', () => {
    // batch norm's moving-statistics update has its golden data in test/pool-norm.test.ts
    const elsewhere = new Set(['moving_average_update']);
    const mutating = native.opInfo().filter((o) => o.flags & 32 && !elsewhere.has(o.name)).map((o) => o.name);
    expect(mutating.length).toBe(16);
    expect(mutating.filter((n) => !ran.has(n))).toEqual([]);
  });
});

describe('large arrays: every chunk of the threaded pass is updated', () => {
  test.each(['float32', 'float64'] as DType[])('%s adamUpdate over 200003 elements equals the same update on a slice', (dtype) => {
    const n = 200003;
    const w = nd.random.uniform({ shape: [n], dtype });
    const g = nd.random.normal({ shape: [n], dtype });
    const m = nd.zeros([n], { dtype });
    const v = nd.zeros([n], { dtype });
    const tail = (x: NDArray) => x.slice(n - 13, n).copy();
    const [wt, gt, mt, vt] = [tail(w), tail(g), tail(m), tail(v)];
    const opts = { lr: 0.01, wd: 0.1, clipGradient: 0.5 };
    nd.adamUpdate(w, g, m, v, opts);
    nd.adamUpdate(wt, gt, mt, vt, opts);
    expect(Array.from(tail(w).toTypedArray())).toEqual(Array.from(wt.toTypedArray()));
    expect(Array.from(tail(v).toTypedArray())).toEqual(Array.from(vt.toTypedArray()));
  });
});

describe('in place: never recorded, versions bumped, refused on arrays of a recorded graph', () => {
  const opts = { lr: 0.1, momentum: 0.9 };

  test('a graph that saved the weight refuses to run backward after the update', () => {
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    const w = nd.array([4, 5, 6]);
    const y = autograd.record(() => x.mul(w).sum());
    nd.sgdUpdate(w, nd.array([1, 1, 1]), { lr: 0.1 });
    expect(() => y.backward()).toThrow(/modified in place after it was recorded/);
  });

  test('a graph that saved a state array refuses too (every written input is bumped)', () => {
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    const mom = nd.array([0.5, 0.5, 0.5]);
    const y = autograd.record(() => x.mul(mom).sum());
    nd.sgdMomUpdate(nd.array([4, 5, 6]), nd.array([1, 1, 1]), mom, opts);
    expect(() => y.backward()).toThrow(/modified in place after it was recorded/);
  });

  test('the gradient, which the update only reads, keeps its version', () => {
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    const g = nd.array([0.5, 0.5, 0.5]);
    const y = autograd.record(() => x.mul(g).sum());
    nd.sgdMomUpdate(nd.array([4, 5, 6]), g, nd.zeros([3]), opts);
    y.backward();
    expect(x.grad!.toArray()).toEqual([0.5, 0.5, 0.5]);
  });

  test('inside record, writing a weight of the graph is refused, naming the op and the input', () => {
    const w = nd.array([1, 2, 3]);
    w.attachGrad();
    const before = w.toArray();
    expect(() => autograd.record(() => nd.sgdUpdate(w, nd.ones([3]), { lr: 0.1 }))).toThrow(
      /^sgd_update: cannot write input 0 in place while recording: it is in the graph/,
    );
    expect(w.toArray()).toEqual(before);
  });

  test('inside record, writing a state that is in the graph is refused (input 2)', () => {
    const mom = nd.zeros([3]);
    mom.attachGrad();
    expect(() => autograd.record(() => nd.sgdMomUpdate(nd.ones([3]), nd.ones([3]), mom, opts))).toThrow(
      /^sgd_mom_update: cannot write input 2 in place/,
    );
  });

  test('inside record, arrays outside the graph are updated and nothing is recorded', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    const w = nd.array([1, 1]);
    const loss = autograd.record(() => {
      const g = x.mul(2);
      nd.sgdUpdate(w, g, { lr: 0.5 });
      return x.square().sum();
    });
    expect(w.toArray()).toEqual([0, -1]);
    loss.backward();
    expect(x.grad!.toArray()).toEqual([2, 4]);
  });

  test('two written inputs sharing memory are refused', () => {
    const w = nd.array([1, 2, 3]);
    expect(() => nd.sgdMomUpdate(w, nd.ones([3]), w, opts)).toThrow(/sgd_mom_update: inputs 0 and 2 are written in place and share memory/);
    expect(() => nd.multiSgdUpdate([w, w], [nd.ones([3]), nd.ones([3])], { lrs: [0.1, 0.1], wds: [0, 0] })).toThrow(
      /multi_sgd_update: inputs 0 and 2 are written in place and share memory/,
    );
  });

  test('the registry marks exactly the weight and the states as written', () => {
    const lamb1 = native.opInfo().find((o) => o.name === 'lamb_update_phase1')!;
    expect(lamb1.flags & 32).toBe(32);
    // Phase one leaves the weight alone: a graph that saved it still runs.
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    const w = nd.array([4, 5, 6]);
    const y = autograd.record(() => x.mul(w).sum());
    nd.lambUpdatePhase1(w, nd.ones([3]), nd.zeros([3]), nd.zeros([3]), { t: 1, wd: 0 });
    y.backward();
    expect(x.grad!.toArray()).toEqual([4, 5, 6]);
  });
});

describe('bad arguments name the op, the argument and the value', () => {
  const w = () => nd.zeros([4]);
  test.each([
    ['missing lr', () => nd.sgdUpdate(w(), w(), {} as never), TypeError, /^sgd_update: option 'lr' is required/],
    ['no options', () => nd.adamUpdate(w(), w(), w(), w(), undefined as never), TypeError, /^adamUpdate: expected an options object/],
    ['grad shape', () => nd.sgdUpdate(w(), nd.zeros([3]), { lr: 1 }), RangeError, /^sgd_update: grad has shape \(3,\) but weight has shape \(4,\)/],
    ['state shape', () => nd.sgdMomUpdate(w(), w(), nd.zeros([2, 2]), { lr: 1 }), RangeError, /^sgd_mom_update: mom has shape \(2,2\) but weight has shape \(4,\)/],
    ['var shape', () => nd.adamUpdate(w(), w(), w(), nd.zeros([5]), { lr: 1 }), RangeError, /^adam_update: var has shape \(5,\)/],
    ['delta shape', () => nd.rmspropalexUpdate(w(), w(), w(), w(), nd.zeros([1]), { lr: 1 }), RangeError, /^rmspropalex_update: delta has shape/],
    ['state dtype', () => nd.ftrlUpdate(w(), w(), w(), nd.zeros([4], { dtype: 'float64' }), { lr: 1 }), TypeError, /^ftrl_update: n is float64 but weight is float32/],
    ['integer weight', () => nd.sgdUpdate(nd.zeros([4], { dtype: 'int32' }), nd.zeros([4], { dtype: 'int32' }), { lr: 1 }), TypeError, /^sgd_update: weight must be float32 or float64, got int32/],
    ['lr type', () => nd.sgdUpdate(w(), w(), { lr: 'x' } as never), TypeError, /^sgd_update: lr .*got 'x'/],
    ['not an array', () => nd.sgdUpdate(w(), [1, 2] as never, { lr: 1 }), TypeError, /^sgdUpdate: grad must be an NDArray, got an Array/],
    ['out not the weight', () => nd.sgdUpdate(w(), w(), { lr: 1, out: w() }), TypeError, /^sgdUpdate: out must be the weight itself/],
    ['lamb r1', () => nd.lambUpdatePhase2(w(), w(), nd.zeros([2]), nd.zeros([1]), { lr: 1 }), RangeError, /^lamb_update_phase2: r1 must hold one number/],
    ['lamb t', () => nd.lambUpdatePhase1(w(), w(), w(), w(), { wd: 0 } as never), TypeError, /^lamb_update_phase1: option 't' is required/],
    ['multi lrs', () => nd.multiSgdUpdate([w(), w()], [w(), w()], { lrs: [1], wds: [0, 0] }), RangeError, /^multi_sgd_update: lrs has 1 entries for 2 weights/],
    ['multi lrs type', () => nd.multiSgdUpdate([w()], [w()], { lrs: [0.1, 'a'], wds: [0] } as never), TypeError, /^multi_sgd_update: lrs\[1\] .*got 'a'/],
    ['multi lists', () => nd.multiSgdMomUpdate([w(), w()], [w()], [w(), w()], { lrs: [1, 1], wds: [0, 0] }), RangeError, /^multiSgdMomUpdate: 2 weights but 1 grads/],
    ['multi shapes', () => nd.multiAdamwUpdate([w()], [w()], [nd.zeros([3])], [w()], { lrs: [1], wds: [0], etas: [1] }), RangeError, /^multi_adamw_update: mean\[0\] has shape \(3,\) but weight\[0\] has shape \(4,\)/],
    ['numWeights', () => nd.multiSgdUpdate([w()], [w()], { lrs: [1], wds: [0], numWeights: 2 }), RangeError, /^multi_sgd_update: numWeights is 2 but the inputs hold 1 weights/],
  ])('%s', (_, call, kind, message) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).toBe(kind.name);
    expect((err as Error).message).toMatch(message);
  });

  test('the scalar fast paths refuse an update op (it has no output of its own)', () => {
    const id = native.opInfo().findIndex((o) => o.name === 'sgd_update');
    expect(() => native.binary(id, w()._h, w()._h, undefined as never)).toThrow(/sgd_update: /);
  });
});
