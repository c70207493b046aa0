'use strict';
// Session 9: the bench's gluon MLP step in bursts of 5 after an idle pause, each step's wall
// time, minor page faults and CPU time (both threads), to show what the first steps after idle
// cost on this VM:
//   node bench/results/session9-idle-burst.js [package dir] [pause ms]
const path = require('path');
const { autograd, gluon, init, nd, random } = require(process.argv[2] || path.join(__dirname, '..', '..'));
const pause = Number(process.argv[3] || 1500);
random.seed(0);
const batch = 64;
const x = nd.random.uniform({ shape: [batch, 784] });
const y = nd.random.randint({ low: 0, high: 10, shape: [batch], dtype: 'float32' });
const net = new gluon.nn.Sequential().add(new gluon.nn.Dense(256, { activation: 'relu' }), new gluon.nn.Dense(10));
net.initialize(new init.Xavier());
net.forward(x).dispose();
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });
const step = () => nd.tidy(() => {
  autograd.record(() => lossFn.forward(net.forward(x), y)).backward();
  trainer.step(batch);
});
let round = 0;
function burst() {
  const cells = [];
  for (let i = 0; i < 5; i++) {
    const r0 = process.resourceUsage();
    const t0 = process.hrtime.bigint();
    step();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const r1 = process.resourceUsage();
    const cpu = (r1.userCPUTime + r1.systemCPUTime - r0.userCPUTime - r0.systemCPUTime) / 1000;
    cells.push(`${ms.toFixed(2)} ms/${r1.minorPageFault - r0.minorPageFault} faults/${cpu.toFixed(1)} ms CPU`);
  }
  console.log(`round ${round}: ${cells.join('  ')}`);
  if (++round < 6) setTimeout(burst, pause);
}
burst();
