// gluon.Trainer: the update it applies (against the optimizer called by hand and against the
// formula), MXNet's 1 / batchSize rescaling and stale-gradient error, learning-rate access, and
// saveStates / loadStates resuming a run exactly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mx, { autograd, gluon, init, nd, optimizer, type NDArray } from '../lib';
import { assertAlmostEqual } from '../lib/testing';

const { nn } = gluon;

function tmp(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-trainer-')), name);
}

function smallNet(seed: number): gluon.Block {
  mx.random.seed(seed);
  const net = new nn.Sequential();
  net.add(new nn.Dense(4, { activation: 'tanh', inUnits: 3 }), new nn.Dense(2, { inUnits: 4 }));
  net.initialize(new init.Xavier());
  return net;
}

const X = nd.array([[0.5, -1, 2], [1, 0.25, -0.5], [-2, 1, 0], [0.1, 0.2, 0.3]]);
const Y = nd.array([0, 1, 1, 0]);
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();

function backwardOnce(net: gluon.Block): void {
  autograd.record(() => lossFn.forward(net.forward(X) as NDArray, Y)).backward();
}

function weights(net: gluon.Block): number[][] {
  return net.collectParams().values().map((p) => Array.from(p.data().toTypedArray() as Float32Array));
}

test('step applies w -= lr * grad / batchSize (SGD without momentum)', () => {
  const net = smallNet(1);
  const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.5 });
  backwardOnce(net);
  const params = net.collectParams().values();
  const expected = params.map((p) => p.data().sub(p.grad().mul(0.5 / 4)));
  trainer.step(4);
  params.forEach((p, i) => assertAlmostEqual(p.data(), expected[i], { rtol: 1e-6, atol: 1e-7 }));
});

test('a trainer and the same optimizer driven by hand give the same weights (Adam, momentum SGD)', () => {
  for (const [name, opts] of [
    ['adam', { learningRate: 0.01, wd: 0.001 }],
    ['sgd', { learningRate: 0.1, momentum: 0.9, wd: 0.01 }],
  ] as const) {
    const a = smallNet(7);
    const b = smallNet(7);
    const trainer = new gluon.Trainer(a.collectParams(), name, opts);
    const opt = optimizer.create(name, { ...opts, rescaleGrad: 1 / 4 });
    const bParams = b.collectParams().keys().sort().map((k) => b.collectParams().at(k));
    const states = bParams.map((p, i) => opt.createState(i, p.data()));
    for (let step = 0; step < 3; step++) {
      backwardOnce(a);
      trainer.step(4);
      backwardOnce(b);
      bParams.forEach((p, i) => opt.update(i, p.data(), p.grad(), states[i]));
    }
    expect(weights(a)).toEqual(weights(b));
  }
});

test('a parameter whose gradient backward did not refresh is MXNet\'s stale-gradient error', () => {
  const net = smallNet(2);
  const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });
  expect(() => trainer.step(1)).toThrow(/Gradient of Parameter `dense\d+_(weight|bias)` on context cpu\(0\) has not been updated by backward since last `step`/);
  backwardOnce(net);
  trainer.step(1);
  // the same gradients again: stale
  expect(() => trainer.step(1)).toThrow(/has not been updated by backward/);
  const before = weights(net);
  trainer.step(1, { ignoreStaleGrad: true });
  expect(weights(net)).toEqual(before);
  backwardOnce(net);
  trainer.step(1, { ignore_stale_grad: true } as never);
  expect(weights(net)).not.toEqual(before);
});

test('parameters with gradReq null are not updated; the learning rate can be read and set', () => {
  const net = smallNet(3);
  const params = net.collectParams();
  const frozen = params.values()[0];
  frozen.gradReq = 'null';
  const trainer = new gluon.Trainer(params, 'sgd', { learning_rate: 0.2 });
  expect(trainer.learningRate).toBeCloseTo(0.2);
  trainer.setLearningRate(0.05);
  expect(trainer.learningRate).toBeCloseTo(0.05);
  const before = Array.from(frozen.data().toTypedArray() as Float32Array);
  backwardOnce(net);
  trainer.step(4);
  expect(Array.from(frozen.data().toTypedArray() as Float32Array)).toEqual(before);
});

test('an Optimizer instance is used as given; options beside it are an error', () => {
  const net = smallNet(4);
  const opt = new optimizer.SGD({ learningRate: 0.3 });
  const trainer = new gluon.Trainer(net.collectParams(), opt);
  expect(trainer.optimizer).toBe(opt);
  expect(() => new gluon.Trainer(net.collectParams(), opt, { learningRate: 1 })).toThrow(/optimizerParams must be left out/);
  expect(() => new gluon.Trainer(net.collectParams(), 42 as never)).toThrow(/Trainer: optimizer must be an Optimizer or its name, got number/);
  expect(() => new gluon.Trainer([1] as never, 'sgd')).toThrow(/Trainer: params\[0\] must be a Parameter/);
  expect(() => new gluon.Trainer(net.collectParams(), 'nosuch')).toThrow(/Cannot find optimizer nosuch/);
  expect(() => new gluon.Trainer(net.collectParams(), 'sgd').step(0)).toThrow(/batchSize must be a positive number, got 0/);
});

test('saveStates / loadStates resume a run exactly (Adam: moments and update counts)', () => {
  const file = tmp('adam.states');
  const run = (steps: number, resumeAt?: number): number[][] => {
    const net = smallNet(5);
    let trainer = new gluon.Trainer(net.collectParams(), 'adam', { learningRate: 0.05 });
    for (let s = 0; s < steps; s++) {
      if (s === resumeAt) {
        const params = tmp('net.params');
        trainer.saveStates(file);
        net.saveParameters(params);
        // a fresh net and trainer, as a new process would make them
        const fresh = smallNet(99);
        fresh.loadParameters(params);
        net.collectParams().values().forEach((p, i) => p.setData(fresh.collectParams().values()[i].data()));
        trainer = new gluon.Trainer(net.collectParams(), 'adam', { learningRate: 0.05 });
        trainer.loadStates(file);
      }
      backwardOnce(net);
      trainer.step(4);
    }
    return weights(net);
  };
  const straight = run(4);
  const resumed = run(4, 2);
  expect(resumed).toEqual(straight);
  expect(() => new gluon.Trainer(smallNet(6).collectParams(), 'sgd').loadStates(path.join(os.tmpdir(), 'no-such-ndgrad-file'))).toThrow(/no-such-ndgrad-file/);
});

test('freshGrad is false after attachGrad, true after backward, and settable', () => {
  const x = nd.array([1, 2, 3]);
  expect(x.freshGrad).toBe(false);
  x.attachGrad();
  expect(x.freshGrad).toBe(false);
  autograd.record(() => x.mul(2).sum()).backward();
  expect(x.freshGrad).toBe(true);
  x.freshGrad = false;
  expect(x.freshGrad).toBe(false);
  const y = nd.array([1]);
  y.freshGrad = true; // not a variable: nothing to set
  expect(y.freshGrad).toBe(false);
});

test('optimizer states made by the first step inside nd.tidy outlive the tidy', () => {
  const inTidy = smallNet(8);
  const plain = smallNet(8);
  const t1 = new gluon.Trainer(inTidy.collectParams(), 'sgd', { learningRate: 0.1, momentum: 0.9 });
  const t2 = new gluon.Trainer(plain.collectParams(), 'sgd', { learningRate: 0.1, momentum: 0.9 });
  for (let i = 0; i < 3; i++) {
    nd.tidy(() => {
      backwardOnce(inTidy);
      t1.step(4);
    });
    backwardOnce(plain);
    t2.step(4);
  }
  expect(weights(inTidy)).toEqual(weights(plain));
});

test('an aggregated SGD step over float32 and float64 parameters equals one update per parameter', () => {
  // MXNet's Updater groups aggregated updates by dtype; the multi-tensor update takes mixed
  // dtypes in one call, so a group may mix them and each weight still gets its own dtype's update.
  const run = (aggregateNum: number): number[][] => {
    const a = new nn.Dense(3, { inUnits: 2 });
    const b = new nn.Dense(2, { inUnits: 3 });
    a.initialize(new init.Constant(0.3));
    b.initialize(new init.Constant(-0.2));
    b.cast('float64');
    const params = [...a.collectParams().values(), ...b.collectParams().values()];
    const trainer = new gluon.Trainer(params, 'sgd', { learningRate: 0.1, momentum: 0.9, wd: 0.01 });
    trainer.optimizer.aggregateNum = aggregateNum;
    const x = nd.array([[1, 2], [3, -1]]);
    for (let i = 0; i < 3; i++) {
      autograd.record(() => (b.forward((a.forward(x) as NDArray).tanh().astype('float64')) as NDArray).square().sum()).backward();
      trainer.step(2);
    }
    expect(params.map((p) => p.data().dtype)).toEqual(['float32', 'float32', 'float64', 'float64']);
    return params.map((p) => Array.from(p.data().toTypedArray() as Float32Array | Float64Array));
  };
  const aggregated = run(4);
  expect(aggregated).toEqual(run(1));
  expect(aggregated[2]).not.toEqual([-0.2, -0.2, -0.2, -0.2, -0.2, -0.2]);
});
