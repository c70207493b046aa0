// mx.optimizer and mx.lr_scheduler against float64 NumPy transcriptions of MXNet's Python
// optimizer and scheduler code (test/fixtures/optim/gen_optim_fixtures.py): four updates of two
// parameters per run, with per-parameter multipliers, weight decay, clipping, rescaling and
// schedules.
import * as fs from 'fs';
import * as path from 'path';
import mx, { lr_scheduler, nd, NDArray, optimizer } from '../lib';

interface FArray {
  shape: number[];
  data: number[];
}
interface Run {
  name: string;
  options: Record<string, unknown>;
  scheduler: [string, number | number[], Record<string, unknown>] | null;
  init: FArray[];
  steps: { grads: FArray[]; weights: FArray[]; numUpdate: number; learningRate: number }[];
}
interface Schedule {
  kind: string;
  first: number | number[];
  options: Record<string, unknown>;
  lrs: number[];
}

const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'optim', 'optimizers.json'), 'utf8'));
const RUNS: Run[] = FIXTURE.runs;
const SCHEDULES: Schedule[] = FIXTURE.schedules;

function make(a: FArray): NDArray {
  return nd.array(Float64Array.from(a.data), { dtype: 'float64' }).reshape(a.shape).copy();
}

function expectClose(got: NDArray, want: FArray, what: string): void {
  const g = got.toTypedArray();
  want.data.forEach((w, i) => {
    if (!(Math.abs(g[i] - w) <= 1e-11 * Math.abs(w) + 1e-13)) throw new Error(`${what}: element ${i} is ${g[i]}, expected ${w}`);
  });
}

function camelKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

function scheduler(kind: string, first: number | number[], opts: Record<string, unknown>): lr_scheduler.LRScheduler {
  switch (kind) {
    case 'factor':
      return new lr_scheduler.FactorScheduler(first as number, opts);
    case 'multifactor':
      return new lr_scheduler.MultiFactorScheduler(first as number[], opts);
    case 'poly':
      return new lr_scheduler.PolyScheduler(first as number, opts);
    default:
      return new lr_scheduler.CosineScheduler(first as number, opts);
  }
}

describe('optimizers: four updates of two parameters against MXNet', () => {
  test.each(RUNS.map((r, i) => [`${r.name} ${i}`, r, i] as const))('%s', (_, run, i) => {
    // Every other run spells its options the MXNet way (snake_case keys), through create().
    const snake = i % 2 === 1;
    const opts: Record<string, unknown> = snake ? { ...run.options } : camelKeys(run.options);
    opts[snake ? 'param_idx2name' : 'paramIdx2Name'] = { 0: 'dense0_weight', 1: 'dense0_bias' };
    if (run.scheduler) opts[snake ? 'lr_scheduler' : 'lrScheduler'] = scheduler(...run.scheduler);
    const opt = optimizer.create(run.name, opts);
    opt.setLrMult({ dense0_bias: 2 });
    const weights = run.init.map(make);
    const states = weights.map((w, k) => opt.createState(k, w));
    run.steps.forEach((step, s) => {
      step.grads.forEach((g, k) => opt.update(k, weights[k], make(g), states[k]));
      weights.forEach((w, k) => expectClose(w, step.weights[k], `${run.name} ${i} step ${s} weight ${k}`));
      expect(opt.numUpdate).toBe(step.numUpdate);
      expect(opt.learningRate).toBeCloseTo(step.learningRate, 14);
    });
  });
});

describe('the Optimizer interface', () => {
  test('create is case-insensitive, knows every optimizer, and register adds one', () => {
    for (const name of ['sgd', 'NAG', 'Adam', 'adamw', 'rmsprop', 'AdaGrad', 'adadelta', 'signum', 'lamb', 'ftrl']) {
      expect(optimizer.create(name)).toBeInstanceOf(optimizer.Optimizer);
    }
    expect(optimizer.create('adam')).toBeInstanceOf(optimizer.Adam);
    expect(() => optimizer.create('nope')).toThrow(/Cannot find optimizer nope/);
    class MyOpt extends optimizer.SGD {}
    optimizer.register(MyOpt);
    expect(optimizer.create('myopt')).toBeInstanceOf(MyOpt);
    expect(mx.optimizer.Ftrl).toBe(optimizer.FTRL);
  });

  test('learning rates: defaults as MXNet, get and set, refused with a schedule', () => {
    expect(new optimizer.SGD().learningRate).toBe(0.01);
    expect(new optimizer.Adam().learningRate).toBe(0.001);
    expect(new optimizer.FTRL().learningRate).toBe(0.1);
    const sgd = new optimizer.SGD({ learning_rate: 0.5 } as never);
    sgd.setLearningRate(0.25);
    expect(sgd.learningRate).toBe(0.25);
    const sched = new lr_scheduler.FactorScheduler(1, { factor: 0.5, baseLr: 1 });
    const withSched = new optimizer.SGD({ learningRate: 0.2, lrScheduler: sched });
    expect(sched.baseLr).toBe(0.2);
    expect(() => withSched.setLearningRate(0.1)).toThrow(/LRScheduler of the optimizer has already been defined/);
  });

  test('per-parameter multipliers: paramDict first, then index, then name; names not _weight/_gamma get wd 0', () => {
    const opt = new optimizer.SGD({
      learningRate: 1,
      wd: 0.1,
      paramIdx2Name: { 0: 'conv0_weight', 1: 'conv0_bias', 2: 'bn_gamma' },
      paramDict: { 3: { lrMult: 3, wdMult: 5 } },
    });
    expect(opt.getWds([0, 1, 2, 3])).toEqual([0.1, 0, 0.1, 0.5]);
    opt.setLrMult({ conv0_bias: 2, 0: 4 });
    expect(opt.getLrs([0, 1, 2, 3])).toEqual([4, 2, 1, 3]);
    opt.setWdMult({ conv0_bias: 1 });
    expect(opt.getWd(1)).toBeCloseTo(0.1, 15);
  });

  test('numUpdate is the largest per-index count, from beginNumUpdate', () => {
    const opt = new optimizer.SGD({ beginNumUpdate: 10 });
    const w = nd.zeros([2]);
    opt.update(0, w, nd.ones([2]), null);
    opt.update(0, w, nd.ones([2]), null);
    opt.update(1, w, nd.ones([2]), null);
    expect(opt.numUpdate).toBe(12);
    expect(opt.indexUpdateCount.get('1')).toBe(11);
  });

  test('SGD updates a list of weights in one call, as MXNet aggregated updates', () => {
    const a = new optimizer.SGD({ learningRate: 0.1, momentum: 0.9, wd: 0.01 });
    const b = new optimizer.SGD({ learningRate: 0.1, momentum: 0.9, wd: 0.01 });
    const wa = [nd.array([1, 2]), nd.array([3])];
    const wb = [nd.array([1, 2]), nd.array([3])];
    const g = [nd.array([0.5, -1]), nd.array([2])];
    const sa = wa.map((w, i) => a.createState(i, w));
    const sb = wb.map((w, i) => b.createState(i, w));
    for (let s = 0; s < 3; s++) {
      a.update([0, 1], wa, g, sa);
      wb.forEach((w, i) => b.update(i, w, g[i], sb[i]));
    }
    expect(wa.map((w) => w.toArray())).toEqual(wb.map((w) => w.toArray()));
    expect(a.numUpdate).toBe(3);
  });

  test('unknown or mistyped options name the optimizer and the option', () => {
    expect(() => new optimizer.Adam({ beta3: 1 } as never)).toThrow(/^Adam: unknown option 'beta3' \(did you mean 'beta1'\?\)/);
    expect(() => new optimizer.SGD({ momentum: '0.9' } as never)).toThrow(/^SGD: momentum must be a number, got string/);
    expect(() => new optimizer.SGD({ lrScheduler: 3 } as never)).toThrow(/^SGD: lrScheduler must be an lr_scheduler.LRScheduler/);
  });

  test('AdaDelta leaves the caller gradient alone', () => {
    const opt = new optimizer.AdaDelta({ rescaleGrad: 0.5 });
    const w = nd.array([1, 2]);
    const g = nd.array([1, -1]);
    opt.update(0, w, g, opt.createState(0, w));
    expect(g.toArray()).toEqual([1, -1]);
  });
});

describe('learning-rate schedules against MXNet, num_update 0..15', () => {
  test.each(SCHEDULES.map((s, i) => [`${s.kind} ${i}`, s] as const))('%s', (_, s) => {
    const sched = scheduler(s.kind, s.first, s.options);
    s.lrs.forEach((lr, n) => expect(sched.call(n)).toBeCloseTo(lr, 14));
  });

  test('bad arguments as MXNet', () => {
    expect(() => new lr_scheduler.FactorScheduler(0)).toThrow(/FactorScheduler: step must be at least 1/);
    expect(() => new lr_scheduler.FactorScheduler(2, { factor: 2 })).toThrow(/factor must be no more than 1/);
    expect(() => new lr_scheduler.MultiFactorScheduler([3, 2])).toThrow(/increasing integer list/);
    expect(() => new lr_scheduler.PolyScheduler(0)).toThrow(/maxUpdate must be strictly positive/);
    expect(() => new lr_scheduler.CosineScheduler(5, { warmupMode: 'x' } as never)).toThrow(/warmupMode must be 'linear' or 'constant'/);
    expect(() => new lr_scheduler.CosineScheduler(5, { baseLr: 0.1, warmupBeginLr: 0.5 })).toThrow(/baseLr has to be higher than warmupBeginLr/);
    expect(() => new lr_scheduler.FactorScheduler(2, { stepSize: 1 } as never)).toThrow(/unknown option 'stepSize'/);
  });
});
