'use strict';
// A fixed number of crash-course LeNet train steps (gluon, batch 256, random data), for
// whole-process CPU-time comparisons of two builds (NDGRAD_PACKAGE) or against
// `bench/train_torch.py` at the same thread count (NDGRAD_NUM_THREADS, BENCH_TORCH_THREADS).
// --composed-relu builds the convolutions' relu as separate Activation layers (conv then relu,
// two ops) instead of Conv2D's activation (the one op convolution_relu):
//   node bench/lenet_steps.js [steps=60] [--composed-relu]
const path = require('path');
const { lenet } = require('./common');
const { autograd, gluon, init, nd, random } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

const args = process.argv.slice(2);
const steps = Number(args.find((a) => !a.startsWith('--')) || 60);
random.seed(0);
const { nn } = gluon;
const net = args.includes('--composed-relu')
  ? new nn.Sequential().add(
    new nn.Conv2D(6, 5), new nn.Activation('relu'), new nn.MaxPool2D(2, 2),
    new nn.Conv2D(16, 3), new nn.Activation('relu'), new nn.MaxPool2D(2, 2),
    new nn.Flatten(), new nn.Dense(120, { activation: 'relu' }),
    new nn.Dense(84, { activation: 'relu' }), new nn.Dense(10),
  )
  : lenet(gluon);
net.initialize(new init.Xavier());
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });
const x = nd.random.uniform({ shape: [256, 1, 28, 28] });
const y = nd.random.randint({ low: 0, high: 10, shape: [256], dtype: 'float32' });
for (let i = 0; i < steps; i++) {
  nd.tidy(() => {
    autograd.record(() => lossFn.forward(net.forward(x), y)).backward();
    trainer.step(256);
  });
}
