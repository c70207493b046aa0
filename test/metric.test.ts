// mx.metric against a float64 NumPy transcription of MXNet 1.9.1's metric.py
// (test/fixtures/metric/make_metric_golden.py), plus MXNet's docstring examples and the errors.
import * as fs from 'fs';
import * as path from 'path';
import mx, { metric, nd, type NDArray } from '../lib';

interface Tensor {
  shape: number[];
  values: number[];
}
interface GoldenCase {
  title: string;
  metric: string;
  name: string;
  opts: Record<string, unknown>;
  updates: { labels: Tensor[]; preds: Tensor[] }[];
  values: number[];
}

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/metric/metric-golden.json'), 'utf8')) as GoldenCase[];
const toArray = (t: Tensor): NDArray => nd.array(Float64Array.from(t.values), { dtype: 'float64', shape: t.shape });

function make(c: GoldenCase): metric.EvalMetric {
  if (c.metric === 'TopKAccuracy') return new metric.TopKAccuracy(c.opts.topK as number);
  const ctor = (metric as unknown as Record<string, new (o: unknown) => metric.EvalMetric>)[c.metric];
  return new ctor(c.opts);
}

describe('metrics match metric.py', () => {
  test.each(golden.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const m = make(c);
    c.updates.forEach((u, k) => {
      m.update(u.labels.map(toArray), u.preds.map(toArray));
      const [name, value] = m.get() as [string, number];
      expect(name).toBe(c.name);
      expect(Math.abs(value - c.values[k])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(c.values[k])));
    });
    m.reset();
    expect(m.get()[1]).toBeNaN();
  });

  test('float32 inputs give the same values to float32 precision', () => {
    const c = golden.find((g) => g.title === 'cross-entropy') as GoldenCase;
    const m = make(c);
    for (const u of c.updates) m.update(u.labels.map((t) => toArray(t).astype('float32')), u.preds.map((t) => toArray(t).astype('float32')));
    expect(m.get()[1]).toBeCloseTo(c.values[c.values.length - 1], 5);
  });
});

describe("MXNet's docstring examples", () => {
  const predicts = () => nd.array([[0.3, 0.7], [0, 1], [0.4, 0.6]]);
  const labels = () => nd.array([0, 1, 1]);
  const value = (m: metric.EvalMetric): number => m.get()[1] as number;

  test('Accuracy, F1, Perplexity, CrossEntropy, MAE / MSE / RMSE, pearsonr, composite', () => {
    const acc = new metric.Accuracy();
    acc.update([labels()], [predicts()]);
    expect(acc.get()).toEqual(['accuracy', 2 / 3]);
    const f1 = new metric.F1();
    f1.update([labels()], [predicts()]);
    expect(value(f1)).toBeCloseTo(0.8, 12);
    const perp = new metric.Perplexity({ ignoreLabel: null });
    perp.update([labels()], [predicts()]);
    expect(value(perp)).toBeCloseTo(1.7710976285155853, 6);
    const ce = new metric.CrossEntropy();
    ce.update([labels()], [predicts()]);
    expect(value(ce)).toBeCloseTo(0.57159948348999023, 6);
    const pred = nd.array([3, -0.5, 2, 7]).reshape([4, 1]);
    const lab = nd.array([2.5, 0, 2, 8]).reshape([4, 1]);
    const regression = [new metric.MAE(), new metric.MSE(), new metric.RMSE()];
    regression.forEach((m) => m.update([lab], [pred]));
    expect(regression.map(value)).toEqual([0.5, 0.375, Math.sqrt(0.375)]);
    const pr = new metric.PearsonCorrelation();
    pr.update([nd.array([[1, 0], [0, 1], [0, 1]])], [predicts()]);
    expect(value(pr)).toBeCloseTo(0.42163704544016178, 6);
    const composite = new metric.CompositeEvalMetric();
    composite.add(new metric.Accuracy());
    composite.add(new metric.F1());
    composite.update([labels()], [predicts()]);
    const [names, values] = composite.get() as [string[], number[]];
    expect(names).toEqual(['accuracy', 'f1']);
    expect(values[0]).toBeCloseTo(2 / 3, 12);
    expect(values[1]).toBeCloseTo(0.8, 12);
    expect(composite.getNameValue().map(([n]) => n)).toEqual(['accuracy', 'f1']);
  });

  test('single NDArrays are wrapped; Loss averages its inputs; getGlobal survives resetLocal', () => {
    const acc = new metric.Accuracy();
    acc.update(labels(), predicts());
    acc.resetLocal();
    acc.update(nd.array([1]), nd.array([[0.2, 0.8]]));
    expect(acc.get()[1]).toBe(1);
    expect(acc.getGlobal()[1]).toBe(3 / 4);
    const loss = new metric.Loss();
    loss.update(null, [nd.array([1, 2]), nd.array([6])]);
    expect(loss.get()).toEqual(['loss', 3]);
    expect(loss.getNameValue()).toEqual([['loss', 3]]);
    expect(String(loss)).toBe("EvalMetric: {'loss': 3}");
  });
});

describe('create and errors', () => {
  test('create: names and aliases (case-insensitive), lists, instances, functions', () => {
    expect(metric.create('acc')).toBeInstanceOf(metric.Accuracy);
    expect(metric.create('CE')).toBeInstanceOf(metric.CrossEntropy);
    expect(metric.create('top_k_accuracy', { topK: 3 }).name).toBe('top_k_accuracy_3');
    expect(metric.create('perplexity', { ignore_label: -1 })).toMatchObject({ ignoreLabel: -1 });
    const composite = metric.create(['acc', new metric.MSE(), 'f1']) as metric.CompositeEvalMetric;
    expect(composite.get()[0]).toEqual(['accuracy', 'mse', 'f1']);
    const custom = metric.create((l: NDArray, p: NDArray) => l.sub(p).abs().sum().asScalar());
    custom.update([nd.array([1, 2])], [nd.array([1, 5])]);
    expect(custom.get()[1]).toBe(3);
    expect(mx.metric.Accuracy).toBe(metric.Accuracy);
    expect(() => metric.create('accuracyy')).toThrow(/metric.create: unknown metric 'accuracyy'; known: accuracy, acc/);
  });

  test('bad arguments are errors naming the metric and the argument', () => {
    expect(() => new metric.TopKAccuracy(1)).toThrow(/TopKAccuracy: topK must be an integer > 1 \(use Accuracy for 1\), got 1/);
    expect(() => new metric.TopKAccuracy(4).update(nd.array([0]), nd.array([[1, 2, 3]]))).toThrow(/topK 4 is more than the 3 classes/);
    expect(() => new metric.F1({ average: 'weighted' as never })).toThrow(/F1: average must be 'macro' or 'micro', got weighted/);
    expect(() => new metric.F1().update(nd.array([0, 1, 2]), nd.array([[1, 0], [0, 1], [1, 0]]))).toThrow(/F1 currently only supports binary classification/);
    expect(() => new metric.Accuracy().update([nd.array([1])], [])).toThrow(/Accuracy.update: 1 label arrays but 0 prediction arrays/);
    expect(() => new metric.Accuracy().update(nd.array([1, 0]), nd.array([[1, 0, 0]]))).toThrow(/Accuracy.update: 1 predicted labels for 2 labels/);
    expect(() => new metric.MAE().update([5 as never], [nd.array([1])])).toThrow(/MAE.update: labels\[0\] and preds\[0\] must be NDArrays, got number and NDArray/);
    expect(() => new metric.Accuracy({ axes: 1 } as never)).toThrow(/Accuracy: unknown option 'axes'/);
    expect(() => new metric.Perplexity().update(nd.array([0, 1]), nd.array([[0.5, 0.5]]))).toThrow(/Perplexity.update: labels \(2\) do not match predictions \(1, 2\)/);
    expect(() => new metric.PearsonCorrelation().update(nd.array([1, 2]), nd.array([[1, 2]]))).toThrow(/must have the same shape/);
  });
});
