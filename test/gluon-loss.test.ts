// gluon.loss against float64 NumPy transcriptions of MXNet 1.9.1's loss.py
// (test/fixtures/gluon/make_loss_golden.py), with sampleWeight, weight and batchAxis; gradients
// against central differences.
import * as fs from 'fs';
import * as path from 'path';
import { autograd, type DType, gluon, nd, type NDArray } from '../lib';
import { assertAlmostEqual, checkNumericGradient } from '../lib/testing';

interface Tensor {
  shape: number[];
  values: number[];
}
interface GoldenCase {
  loss: keyof typeof LOSSES;
  opts: Record<string, unknown>;
  inputs: (Tensor | null)[];
  extra: Record<string, Tensor>;
  expected: Tensor;
}

const { loss } = gluon;
const LOSSES = {
  L2Loss: loss.L2Loss,
  L1Loss: loss.L1Loss,
  SoftmaxCrossEntropyLoss: loss.SoftmaxCrossEntropyLoss,
  SigmoidBinaryCrossEntropyLoss: loss.SigmoidBinaryCrossEntropyLoss,
  KLDivLoss: loss.KLDivLoss,
  HuberLoss: loss.HuberLoss,
  HingeLoss: loss.HingeLoss,
  SquaredHingeLoss: loss.SquaredHingeLoss,
  LogisticLoss: loss.LogisticLoss,
  TripletLoss: loss.TripletLoss,
  PoissonNLLLoss: loss.PoissonNLLLoss,
  CosineEmbeddingLoss: loss.CosineEmbeddingLoss,
};

/** The inputs each loss is differentiable in (class indices and ±1 labels are not). */
const DIFFERENTIABLE: Record<keyof typeof LOSSES, number[]> = {
  L2Loss: [0, 1],
  L1Loss: [0, 1],
  SoftmaxCrossEntropyLoss: [0],
  SigmoidBinaryCrossEntropyLoss: [0],
  KLDivLoss: [0, 1],
  HuberLoss: [0, 1],
  HingeLoss: [0],
  SquaredHingeLoss: [0],
  LogisticLoss: [0],
  TripletLoss: [0, 1, 2],
  PoissonNLLLoss: [0],
  CosineEmbeddingLoss: [0, 1],
};

const cases: GoldenCase[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'gluon', 'loss-golden.json'), 'utf8'));

function tensor(t: Tensor | null, dtype: DType): NDArray | undefined {
  return t === null ? undefined : nd.array(t.values, { dtype }).reshape(t.shape);
}

function label(c: GoldenCase): string {
  return `${c.loss}(${JSON.stringify(c.opts)}) on ${c.inputs.map((t) => (t ? t.shape.join('x') : '-')).join(', ')}${Object.keys(c.extra).length ? ' + posWeight' : ''}`;
}

function run(c: GoldenCase, inputs: (NDArray | undefined)[], dtype: DType): NDArray {
  const fn = new LOSSES[c.loss](c.opts as never);
  const extra = Object.values(c.extra).map((t) => tensor(t, dtype));
  return (fn.forward as (...a: unknown[]) => NDArray)(...inputs, ...extra);
}

describe.each(cases.map((c) => [label(c), c] as const))('%s', (_, c) => {
  test('matches the float64 formula (and float32 to single precision)', () => {
    const out = run(c, c.inputs.map((t) => tensor(t, 'float64')), 'float64');
    expect(out.shape).toEqual(c.expected.shape);
    assertAlmostEqual(out, c.expected.values, { rtol: 1e-12, atol: 1e-14 });
    assertAlmostEqual(run(c, c.inputs.map((t) => tensor(t, 'float32')), 'float32'), c.expected.values, { rtol: 1e-4, atol: 1e-6 });
  });

  test('gradient matches central differences', () => {
    const inputs = c.inputs.map((t) => tensor(t, 'float64'));
    const which = DIFFERENTIABLE[c.loss];
    checkNumericGradient(
      (...vs) => run(c, inputs.map((x, i) => (which.includes(i) ? vs[which.indexOf(i)] : x)), 'float64'),
      which.map((i) => inputs[i]!),
    );
  });
});

describe('loss API', () => {
  test('MXNet aliases and snake_case options', () => {
    expect(loss.SoftmaxCELoss).toBe(loss.SoftmaxCrossEntropyLoss);
    expect(loss.SigmoidBCELoss).toBe(loss.SigmoidBinaryCrossEntropyLoss);
    const l = new loss.SoftmaxCELoss({ sparse_label: false, from_logits: true, batch_axis: 1 } as never);
    expect([l.sparseLabel, l.fromLogits, l.batchAxis]).toEqual([false, true, 1]);
    expect(l.toString()).toBe('SoftmaxCrossEntropyLoss(batch_axis=1, w=None)');
    expect(new loss.L2Loss().toString()).toBe('L2Loss(batch_axis=0, w=1)');
  });

  test('bad arguments are errors naming the loss and the argument', () => {
    expect(() => new loss.L2Loss({ wieght: 2 } as never)).toThrow("L2Loss: unknown option 'wieght' (did you mean 'weight'?)");
    expect(() => new loss.L1Loss({ weight: '2' as never })).toThrow('L1Loss: weight must be a number, got string');
    expect(() => new loss.HingeLoss({ margin: '1' as never })).toThrow('HingeLoss: margin must be a number, got string');
    expect(() => new loss.HuberLoss({ rho: null as never })).toThrow('HuberLoss: rho must be a number, got null');
    expect(() => new loss.SoftmaxCrossEntropyLoss({ axis: '1' as never })).toThrow('SoftmaxCrossEntropyLoss: axis must be a number, got string');
    expect(() => new loss.KLDivLoss({ axis: NaN })).toThrow('KLDivLoss: axis must be a number, got number');
    expect(() => new loss.L2Loss().forward(nd.ones([2]), [1, 2] as never)).toThrow('L2Loss.forward: label must be an NDArray, got an Array');
    expect(() => new loss.LogisticLoss({ labelFormat: 'x' as never })).toThrow('label_format can only be signed or binary');
    expect(() => new loss.L2Loss().forward(nd.ones([2, 3]), nd.ones([2, 2]))).toThrow();
  });

  test('a recorded loss trains: its mean backward gives the per-sample gradients / batch', () => {
    const pred = nd.array([[1, 2], [3, 5]]);
    pred.attachGrad();
    const out = autograd.record(() => new loss.L2Loss().forward(pred, nd.zeros([2, 2])).mean());
    out.backward();
    // d/dp of mean_b(mean_k(p^2 / 2)) = p / (2 * 2)
    expect(pred.grad!.toArray()).toEqual([[0.25, 0.5], [0.75, 1.25]]);
  });
});
