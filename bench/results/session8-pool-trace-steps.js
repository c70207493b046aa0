'use strict';
// Session 8's pool trace, the driver: N gluon training steps (lenet | mlp), each step's start and
// end (process.hrtime, the same clock as std::chrono::steady_clock) on stderr as "S begin end",
// beside the "T ..." round lines of a build with session8-pool-trace.patch and NDGRAD_POOL_TRACE=1:
//   NDGRAD_POOL_TRACE=1 node bench/results/session8-pool-trace-steps.js lenet 40 2> trace.txt
//   python3 bench/results/session8-pool-trace-summary.py trace.txt
const path = require('path');
const { autograd, gluon, init, nd, random } = require(path.join(__dirname, '..', '..'));
const { lenet } = require('../common');
const name = process.argv[2] || 'lenet';
const N = Number(process.argv[3] || 60);
random.seed(0);
const batch = name === 'mlp' ? 64 : 256;
const shape = name === 'mlp' ? [batch, 784] : [batch, 1, 28, 28];
const x = nd.random.uniform({ shape });
const y = nd.random.randint({ low: 0, high: 10, shape: [batch], dtype: 'float32' });
const net = name === 'mlp' ? new gluon.nn.Sequential().add(new gluon.nn.Dense(256, { activation: 'relu' }), new gluon.nn.Dense(10)) : lenet(gluon);
net.initialize(new init.Xavier());
net.forward(x).dispose();
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });
const step = () => nd.tidy(() => { autograd.record(() => lossFn.forward(net.forward(x), y)).backward(); trainer.step(batch); });
const ts = [];
for (let i = 0; i < N; i++) { const a = process.hrtime.bigint(); step(); const b = process.hrtime.bigint(); ts.push([a, b]); }
for (const [a, b] of ts) process.stderr.write(`S ${a} ${b}\n`);
const ms = ts.map(([a, b]) => Number(b - a) / 1e6).sort((p, q) => p - q);
console.log(`median ${ms[N >> 1].toFixed(2)} min ${ms[0].toFixed(2)} max ${ms[N - 1].toFixed(2)}`);
