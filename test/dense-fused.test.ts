// The fused training-step ops (native/core/ops/ops_dense.cc): fully_connected is bitwise dot
// (transposeB) + add, softmax_ce_loss bitwise -pick(log_softmax), softmax_ce_grad their
// gradient with the same roundings; the gluon Dense layer and SoftmaxCrossEntropyLoss and
// nd.fullyConnected / nd.softmaxCrossEntropy call them. Golden data: test/fixtures/ops/dense.json.
import { autograd, gluon, nd, NDArray, optimizer } from '../lib';
import type { DType } from '../lib';
import { invoke } from '../lib/core/dispatch';

function uniform(shape: number[], dtype: DType, lo = -2, hi = 2): NDArray {
  return nd.random.uniform({ low: lo, high: hi, shape, dtype });
}

function bits(a: NDArray): number[] {
  return Array.from(a.toTypedArray() as Float32Array | Float64Array);
}

/** Gradients of the leaves after backward of f on them (leaves get attached gradients). */
function grads(leaves: NDArray[], f: () => NDArray, head?: NDArray): NDArray[] {
  leaves.forEach((a) => a.attachGrad());
  const y = autograd.record(f);
  y.backward(head);
  return leaves.map((a) => a.grad.copy());
}

describe.each(['float32', 'float64'] as DType[])('fully_connected (%s)', (dtype) => {
  test('forward and gradients are bitwise those of dot(transposeB) + add', () => {
    const [x, w, b] = [uniform([7, 33], dtype), uniform([19, 33], dtype), uniform([19], dtype)];
    const fused = invoke('fully_connected', [x, w, b]);
    const composed = nd.dot(x, w, { transposeB: true }).add(b);
    expect(bits(fused)).toEqual(bits(composed));
    const head = uniform([7, 19], dtype);
    const a = [x, w, b].map((t) => t.copy());
    const c = [x, w, b].map((t) => t.copy());
    const gf = grads(a, () => invoke('fully_connected', a), head);
    const gc = grads(c, () => nd.dot(c[0], c[1], { transposeB: true }).add(c[2]), head);
    gf.forEach((g, i) => expect(bits(g)).toEqual(bits(gc[i])));
  });

  test.each([[64, 50, 130], [64, 784, 256], [100, 33, 300], [200, 64, 65]])(
    'fewer rows than units (%d x %d into %d, computed as a transposed product): bitwise dot + add',
    (m, k, n) => {
      const [x, w, b] = [uniform([m, k], dtype), uniform([n, k], dtype), uniform([n], dtype)];
      expect(bits(invoke('fully_connected', [x, w, b]))).toEqual(bits(nd.dot(x, w, { transposeB: true }).add(b)));
      expect(bits(invoke('fully_connected', [x, w]))).toEqual(bits(nd.dot(x, w, { transposeB: true })));
    },
  );

  test('nd.fullyConnected: flatten folds trailing axes, flatten false keeps the leading ones', () => {
    const w = uniform([4, 6], dtype);
    const b = uniform([4], dtype);
    const x3 = uniform([2, 3, 6], dtype);
    const flat = nd.fullyConnected(x3, uniform([4, 18], dtype), b);
    expect(flat.shape).toEqual([2, 4]);
    const kept = nd.fullyConnected(x3, w, b, { flatten: false });
    expect(kept.shape).toEqual([2, 3, 4]);
    expect(bits(kept)).toEqual(bits(nd.dot(x3, w, { transposeB: true }).add(b)));
    expect(nd.fullyConnected(uniform([6], dtype), w, b, { flatten: false }).shape).toEqual([4]);
  });
});

describe('fully_connected: data outside the graph gets no gradient, the others do', () => {
  test('only the weight and bias need gradients (a first layer)', () => {
    const x = uniform([5, 8], 'float64');
    const [w, b] = [uniform([3, 8], 'float64'), uniform([3], 'float64')];
    const head = uniform([5, 3], 'float64');
    const [gw, gb] = grads([w, b], () => nd.fullyConnected(x, w, b), head);
    expect(bits(gw)).toEqual(bits(nd.dot(head, x, { transposeA: true })));
    expect(bits(gb)).toEqual(bits(head.sum({ axis: 0 })));
  });

  test('dot likewise: the operand outside the graph is skipped, the other is exact', () => {
    const x = uniform([4, 6], 'float32');
    const w = uniform([6, 3], 'float32');
    const head = uniform([4, 3], 'float32');
    const [gw] = grads([w], () => nd.dot(x, w), head);
    expect(bits(gw)).toEqual(bits(nd.dot(x, head, { transposeA: true })));
    const [gx] = grads([x], () => nd.dot(x, w), head);
    expect(bits(gx)).toEqual(bits(nd.dot(head, w, { transposeB: true })));
  });
});

describe('fully_connected: bad arguments name the op and the values', () => {
  const x = nd.ones([2, 3]);
  test.each([
    [() => invoke('fully_connected', [x, nd.ones([4, 5])]), /fully_connected: data must be \(batch, k\) and weight \(numHidden, k\), got data \(2,3\) and weight \(4,5\)/],
    [() => invoke('fully_connected', [x, nd.ones([4, 3]), nd.ones([3])]), /fully_connected: bias must have shape \(4,\), got \(3,\)/],
    [() => invoke('fully_connected', [x, nd.ones([4, 3], { dtype: 'float64' })]), /fully_connected: weight is float64 but data is float32/],
    [() => invoke('fully_connected', [x]), /fully_connected/],
  ])('%#', (f, message) => expect(f).toThrow(message));
});

describe.each(['float32', 'float64'] as DType[])('softmax_ce_loss and softmax_ce_grad (%s)', (dtype) => {
  const labels = nd.array([3, 0, 9, 5, 12.7, -2.5, 4.2, 8], { dtype: 'float32' });

  test('the loss is bitwise -pick(log_softmax(pred), label, keepdims), labels clipped as pick does', () => {
    const pred = uniform([8, 10], dtype, -5, 5);
    const fused = invoke('softmax_ce_loss', [pred, labels]);
    expect(fused.shape).toEqual([8, 1]);
    expect(bits(fused)).toEqual(bits(pred.logSoftmax().pick(labels, { keepdims: true }).neg()));
    expect(bits(invoke('softmax_ce_loss', [pred, labels.reshape([8, 1])]))).toEqual(bits(fused));
  });

  test('its gradient is bitwise that of the composed loss', () => {
    const head = uniform([8, 1], dtype);
    const p1 = uniform([8, 10], dtype, -5, 5);
    const p2 = p1.copy();
    const [gf] = grads([p1], () => invoke('softmax_ce_loss', [p1, labels]), head);
    const [gc] = grads([p2], () => p2.logSoftmax().pick(labels, { keepdims: true }).neg(), head);
    expect(bits(gf)).toEqual(bits(gc));
  });

  test('3-D pred: one row per leading index', () => {
    const pred = uniform([2, 3, 5], dtype);
    const l = nd.array([[0, 4, 2], [1, 3, 3]], { dtype: 'float32' });
    expect(bits(invoke('softmax_ce_loss', [pred, l]))).toEqual(bits(pred.logSoftmax().pick(l, { keepdims: true }).neg()));
  });
});

test('softmax_ce_loss: second-order gradients match the composed loss (float64)', () => {
  const labels = nd.array([1, 3, 0], { dtype: 'float64' });
  const secondOrder = (loss: (p: NDArray) => NDArray): number[] => {
    const p = nd.array([[0.3, -1.2, 2.0, 0.1], [1.5, 0.2, -0.7, 0.4], [-0.3, 0.9, 0.8, -2.1]], { dtype: 'float64' });
    p.attachGrad();
    const [g] = autograd.record(() => autograd.grad([loss(p).square().sum()], [p], { createGraph: true }));
    autograd.record(() => g.mul(g).sum()).backward();
    return Array.from(p.grad.toTypedArray() as Float64Array);
  };
  const fused = secondOrder((p) => invoke('softmax_ce_loss', [p, labels]));
  const composed = secondOrder((p) => p.logSoftmax().pick(labels, { keepdims: true }).neg());
  fused.forEach((v, i) => expect(v).toBeCloseTo(composed[i], 12));
});

describe('softmax_ce_loss / softmax_ce_grad: bad arguments', () => {
  const pred = nd.ones([4, 3]);
  test.each([
    [() => invoke('softmax_ce_loss', [pred, nd.ones([3])]), /softmax_ce_loss: label shape \(3,\) must be the pred shape \(4,3\) without its last axis, i.e. \(4,\)/],
    [() => invoke('softmax_ce_loss', [nd.ones([4, 3], { dtype: 'int32' }), nd.ones([4])]), /softmax_ce_loss: pred must be float32 or float64, got int32/],
    [() => invoke('softmax_ce_loss', [nd.ones([4, 0]), nd.ones([4])]), /softmax_ce_loss: pred must have a non-empty last \(class\) axis, got \(4,0\)/],
    [() => invoke('softmax_ce_grad', [pred, nd.ones([4]), nd.ones([4])]), /softmax_ce_grad: the loss gradient must be float32 \(4,1\), got float32 \(4,\)/],
  ])('%#', (f, message) => expect(f).toThrow(message));
});

describe('gluon: Dense and SoftmaxCrossEntropyLoss use the fused ops, with the composed results', () => {
  test('SoftmaxCrossEntropyLoss, last axis and sparse labels: bitwise the composed loss and gradient', () => {
    const pred = uniform([6, 7], 'float32');
    const label = nd.array([0, 6, 3, 2, 9, 1]);
    const loss = new gluon.loss.SoftmaxCrossEntropyLoss();
    const composed = (p: NDArray) => p.logSoftmax().pick(label, { keepdims: true }).neg().mean(1);
    expect(bits(loss.forward(pred, label))).toEqual(bits(composed(pred)));
    const p2 = pred.copy();
    const [gf] = grads([pred], () => loss.forward(pred, label));
    const [gc] = grads([p2], () => composed(p2));
    expect(bits(gf)).toEqual(bits(gc));
  });

  test('nd.softmaxCrossEntropy is the negated sum of picked log-probabilities', () => {
    const logits = uniform([5, 4], 'float64');
    const label = nd.array([0, 3, 1, 1, 2], { dtype: 'float64' });
    expect(nd.softmaxCrossEntropy(logits, label).asScalar()).toBeCloseTo(logits.logSoftmax().pick(label).sum().neg().asScalar(), 12);
  });
});

describe('Trainer: SGD updates four weights per call (MXNet aggregate_num)', () => {
  test('five parameters (a group of four and one) end where one update per weight does', () => {
    const net = new gluon.nn.Sequential().add(new gluon.nn.Dense(4, { inUnits: 3 }), new gluon.nn.Dense(2, { inUnits: 4 }), new gluon.nn.Dense(1, { inUnits: 2, useBias: false }));
    net.initialize();
    const params = net.collectParams().values();
    expect(params).toHaveLength(5);
    const before = params.map((p) => p.data().copy());
    const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.5, momentum: 0.9, wd: 0.01 });
    expect(trainer.optimizer.aggregateNum).toBe(4);
    const x = uniform([6, 3], 'float32');
    autograd.record(() => net.forward(x).square().sum()).backward();
    const gradsNow = params.map((p) => p.grad().copy());
    trainer.step(6);
    // the reference: one sgd_mom_update per weight from zero momentum
    const keys = net.collectParams().keys().sort();
    const byName = new Map(net.collectParams().keys().map((k, i) => [k, i]));
    keys.forEach((k) => {
      const i = byName.get(k)!;
      const w = before[i].copy();
      nd.sgdMomUpdate(w, gradsNow[i], nd.zerosLike(w), { lr: 0.5, momentum: 0.9, wd: 0.01, rescaleGrad: 1 / 6 });
      expect(bits(params[i].data())).toEqual(bits(w));
    });
    expect(trainer.optimizer.numUpdate).toBe(1);
  });

  test('an optimizer without aggregation still gets one weight per call', () => {
    const calls: number[] = [];
    class Counting extends optimizer.SGD {
      update(index: any, weight: any, grad: any, state: any): void {
        calls.push(Array.isArray(index) ? index.length : 1);
        super.update(index, weight, grad, state);
      }
    }
    const net = new gluon.nn.Dense(2, { inUnits: 3 });
    net.initialize();
    const opt = new Counting({ learningRate: 0.1 });
    opt.aggregateNum = 0;
    const trainer = new gluon.Trainer(net.collectParams(), opt);
    autograd.record(() => net.forward(nd.ones([2, 3])).sum()).backward();
    trainer.step(2);
    expect(calls).toEqual([1, 1]);
    opt.aggregateNum = 4;
    autograd.record(() => net.forward(nd.ones([2, 3])).sum()).backward();
    trainer.step(2);
    expect(calls).toEqual([1, 1, 2]);
  });
});

describe('backward writes a gradient buffer by taking the computed block when nothing else sees either', () => {
  test('the values are the gradient, step after step', () => {
    const w = nd.array([[1, 2], [3, 4]]);
    w.attachGrad();
    const grad = w.grad;
    for (const k of [1, 2, 3]) {
      autograd.record(() => w.mul(k).sum()).backward();
      expect(grad.toArray()).toEqual([[k, k], [k, k]]);
    }
  });

  test('a view or a dataView of the buffer sees the new gradient (the buffer is written into)', () => {
    const w = nd.array([1, 2, 3, 4]);
    w.attachGrad();
    const view = w.grad.reshape([2, 2]);
    const data = w.grad.dataView();
    autograd.record(() => w.mul(3).sum()).backward();
    expect(view.toArray()).toEqual([[3, 3], [3, 3]]);
    expect(Array.from(data)).toEqual([3, 3, 3, 3]);
    autograd.record(() => w.mul(5).sum()).backward();
    expect(Array.from(data)).toEqual([5, 5, 5, 5]);
    expect(view.toArray()).toEqual([[5, 5], [5, 5]]);
  });

  test('one gradient array shared by two variables gives each its own buffer', () => {
    const a = nd.array([1, 2]);
    const b = nd.array([3, 4]);
    a.attachGrad();
    b.attachGrad();
    autograd.record(() => a.add(b)).backward();
    expect(a.grad.toArray()).toEqual([1, 1]);
    expect(b.grad.toArray()).toEqual([1, 1]);
    a.grad.set(nd.array([7, 7]));
    expect(b.grad.toArray()).toEqual([1, 1]);
  });

  test('a head gradient the caller holds is copied, not taken', () => {
    const w = nd.array([1, 2]);
    w.attachGrad();
    const head = nd.array([5, 6]);
    autograd.record(() => w.copy()).backward(head);
    head.set(nd.array([0, 0]));
    expect(w.grad.toArray()).toEqual([5, 6]);
  });
});
