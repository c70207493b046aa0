'use strict';
// Where the crash-course LeNet train step (batch 256) spends its time: each layer's forward and
// forward+backward alone on its recorded input (the output's gradient all ones), the loss, the
// whole forward+backward and the whole step (their difference is trainer.step), each as the
// fastest of `reps` calls: on the shared machine the minimum is the least disturbed figure, and
// the parts are compared with each other. Run it alone (not next to another bench).
//   node bench/train_drilldown.js [reps=30]
const path = require('path');
const { autograd, gluon, init, nd, random } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));
const { lenet, timeCalls } = require('./common');

const reps = Number(process.argv[2] || 50);
const batch = 256;
const { nn } = gluon;
random.seed(0);
const net = lenet(gluon);
net.initialize(new init.Xavier());
const x = nd.random.uniform({ shape: [batch, 1, 28, 28] });
const y = nd.random.randint({ low: 0, high: 10, shape: [batch], dtype: 'float32' });
net.forward(x).dispose();
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });

const ms = (fn) => {
  fn();
  return Math.min(...timeCalls(fn, reps)) * 1e3;
};

const rows = [];
let input = x;
for (let i = 0; i < net.length; i++) {
  const layer = net.at(i);
  const h = input;
  // the images need no gradient (as in the step): conv0's backward is its weight gradient only
  if (i > 0) h.attachGrad();
  const fwd = ms(() => nd.tidy(() => autograd.record(() => layer.forward(h))));
  const both = ms(() => nd.tidy(() => {
    const out = autograd.record(() => layer.forward(h));
    out.backward(nd.onesLike(out));
  }));
  rows.push([`${i} ${layer.constructor.name} ${JSON.stringify(h.shape)}`, fwd, both - fwd]);
  input = layer.forward(h);
}
input.attachGrad();
const lossFwd = ms(() => nd.tidy(() => autograd.record(() => lossFn.forward(input, y))));
const lossBoth = ms(() => nd.tidy(() => autograd.record(() => lossFn.forward(input, y)).backward()));
rows.push(['loss (SoftmaxCrossEntropyLoss)', lossFwd, lossBoth - lossFwd]);
const forward = ms(() => nd.tidy(() => autograd.record(() => lossFn.forward(net.forward(x), y))));
const both = ms(() => nd.tidy(() => autograd.record(() => lossFn.forward(net.forward(x), y)).backward()));
const step = ms(() => nd.tidy(() => {
  autograd.record(() => lossFn.forward(net.forward(x), y)).backward();
  trainer.step(batch);
}));

console.log('| part | forward ms | backward ms |\n| --- | --- | --- |');
for (const [name, f, b] of rows) console.log(`| ${name} | ${f.toFixed(2)} | ${b.toFixed(2)} |`);
const sum = rows.reduce((s, [, f, b]) => s + f + b, 0);
console.log(`| trainer.step (10 sgd_update): whole step - whole forward+backward | ${(step - both).toFixed(2)} | |`);
console.log(`\nsum of the layer and loss parts ${sum.toFixed(2)} ms; whole forward (recorded) ${forward.toFixed(2)} ms, ` +
  `whole forward+backward ${both.toFixed(2)} ms, whole step ${step.toFixed(2)} ms`);
