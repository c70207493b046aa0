'use strict';
// A fixed number of MLP 784-256-10 train steps (gluon, batch 64, random data, SGD Trainer), for
// whole-process CPU-time comparisons of two builds (NDGRAD_PACKAGE) or against
// `bench/mlp_steps_torch.py` at the same thread count (NDGRAD_NUM_THREADS, BENCH_TORCH_THREADS).
//   node bench/mlp_steps.js [steps=2000]
const path = require('path');
const { autograd, gluon, init, nd, random } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

const steps = Number(process.argv[2] || 2000);
random.seed(0);
const net = new gluon.nn.Sequential().add(new gluon.nn.Dense(256, { activation: 'relu' }), new gluon.nn.Dense(10));
net.initialize(new init.Xavier());
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });
const x = nd.random.uniform({ shape: [64, 784] });
const y = nd.random.randint({ low: 0, high: 10, shape: [64], dtype: 'float32' });
for (let i = 0; i < steps; i++) {
  nd.tidy(() => {
    autograd.record(() => lossFn.forward(net.forward(x), y)).backward();
    trainer.step(64);
  });
}
