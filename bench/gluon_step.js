#!/usr/bin/env node
'use strict';
// The Gluon overhead of a training step: an MLP 784-256-10 (batch 64) step written with gluon
// (net.forward, SoftmaxCrossEntropyLoss, backward, an SGD update per parameter) against the same
// step written with raw nd ops on arrays with attached gradients. Both run interleaved in one
// process, rounds of `steps` steps each; prints the median per-step time of each and their ratio
// (issue 12's target: gluon at most 1.1x raw).
//   node bench/gluon_step.js [rounds=15] [steps=40]
const path = require('path');
const { autograd, gluon, init, nd } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

const rounds = Number(process.argv[2] || 15);
const steps = Number(process.argv[3] || 40);
const [batch, inputs, hidden, classes] = [64, 784, 256, 10];
const lr = 0.1;

const x = nd.random.uniform({ shape: [batch, inputs] });
const y = nd.random.randint({ low: 0, high: classes, shape: [batch], dtype: 'float32' });

const net = new gluon.nn.Sequential();
net.add(new gluon.nn.Dense(hidden, { activation: 'relu', inUnits: inputs }), new gluon.nn.Dense(classes, { inUnits: hidden }));
net.initialize(new init.Xavier());
const params = net.collectParams().values();
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();

function gluonStep() {
  nd.tidy(() => {
    const loss = autograd.record(() => lossFn.forward(net.forward(x), y));
    loss.backward();
    for (const p of params) p.data().subInPlace(p.grad().mul(lr / batch));
  });
}

const raw = params.map((p) => p.data().copy());
raw.forEach((a) => a.attachGrad());
const [w1, b1, w2, b2] = raw;
function rawStep() {
  nd.tidy(() => {
    const loss = autograd.record(() => {
      const h = nd.fullyConnected(x, w1, b1).relu();
      const out = nd.fullyConnected(h, w2, b2);
      return out.logSoftmax({ axis: -1 }).pick(y, { axis: -1, keepdims: true }).neg().mean(1);
    });
    loss.backward();
    for (const a of raw) a.subInPlace(a.grad.mul(lr / batch));
  });
}

function timeRound(step) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) step();
  return Number(process.hrtime.bigint() - t0) / 1e6 / steps;
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (let i = 0; i < 20; i++) {
  gluonStep();
  rawStep();
}
const g = [];
const r = [];
for (let i = 0; i < rounds; i++) {
  if (i % 2 === 0) {
    g.push(timeRound(gluonStep));
    r.push(timeRound(rawStep));
  } else {
    r.push(timeRound(rawStep));
    g.push(timeRound(gluonStep));
  }
}
const ratios = g.map((t, i) => t / r[i]);
console.log(`MLP ${inputs}-${hidden}-${classes}, batch ${batch}: gluon ${median(g).toFixed(3)} ms/step, raw nd ${median(r).toFixed(3)} ms/step, ` +
  `gluon / raw: median of per-round ratios ${median(ratios).toFixed(3)} (${rounds} rounds of ${steps} steps)`);
