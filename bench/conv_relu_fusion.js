'use strict';
// The crash-course LeNet's two relu convolutions, forward + backward (recorded, the output's
// gradient all ones, the data gradient wanted for the second), as the one op convolution_relu
// (what gluon's Conv2D(activation 'relu') calls) against nd.convolution then nd.relu; the two
// forms alternate call by call and the table shows the median (and the fastest) of each.
//   node bench/conv_relu_fusion.js [reps=40]
const path = require('path');
const root = process.env.NDGRAD_PACKAGE || path.join(__dirname, '..');
const { autograd, nd } = require(root);
const { invoke } = require(path.join(root, 'dist', 'core', 'dispatch'));
const { median } = require('./common');

const reps = Number(process.argv[2] || 40);
const layers = [
  ['conv0 1->6 5x5 on 256x1x28x28', [256, 1, 28, 28], [6, 1, 5, 5], false],
  ['conv1 6->16 3x3 on 256x6x12x12', [256, 6, 12, 12], [16, 6, 3, 3], true],
];
console.log('| layer | fused ms (fastest) | conv + relu ms (fastest) | fused / composed (fastest) |\n| --- | --- | --- | --- |');
for (const [label, xs, ws, dataGrad] of layers) {
  const x = nd.random.uniform({ low: -1, high: 1, shape: xs });
  const w = nd.random.uniform({ low: -0.3, high: 0.3, shape: ws });
  const b = nd.random.uniform({ low: -0.1, high: 0.1, shape: [ws[0]] });
  if (dataGrad) x.attachGrad();
  w.attachGrad();
  b.attachGrad();
  const opts = { kernel: ws.slice(2), numFilter: ws[0], noBias: false };
  const forms = [
    () => invoke('convolution_relu', [x, w, b], opts),
    () => nd.relu(nd.convolution(x, w, b, opts)),
  ];
  const times = [[], []];
  for (let i = 0; i < reps + 2; i++) {
    forms.forEach((f, k) => {
      const t0 = process.hrtime.bigint();
      nd.tidy(() => autograd.record(f).backward());
      if (i >= 2) times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  const [a, c] = times.map(median);
  const [fa, fc] = times.map((t) => Math.min(...t));
  console.log(`| ${label} | ${a.toFixed(2)} (${fa.toFixed(2)}) | ${c.toFixed(2)} (${fc.toFixed(2)}) | ${(a / c).toFixed(2)} (${(fa / fc).toFixed(2)}) |`);
}
