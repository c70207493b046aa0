'use strict';
// Session 10's A/B driver for the pool's worker placement: the bench's gluon step (LeNet or MLP)
// timed as bench/train_step.js times its gluon column (rounds of REPS steps, the per-round median)
// with an idle pause of PAUSE_MS after each round, so that every round's first parallel call wakes
// a sleeping worker, as the bench's waits for its other engines do. One JSON line per process:
// the per-round medians, their median and the process's CPU time (both threads) per step.
//   node bench/results/session10-lenetmode-ab.js <package dir> lenet 7 5 1000
// Run it alternately on two checkouts (A B A B ...) for the A/B.
const path = require('path');
const { gluonTrainStep, median } = require('../common');

const [pkg = path.join(__dirname, '..', '..'), net = 'lenet', rounds = '7', reps = '5', pauseMs = '1000'] =
  process.argv.slice(2);
const step = gluonTrainStep(require(path.resolve(pkg)), net);

(async () => {
  step();
  step();
  const per = [];
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < Number(rounds); r++) {
    const t = [];
    for (let i = 0; i < Number(reps); i++) {
      const a = process.hrtime.bigint();
      step();
      t.push(Number(process.hrtime.bigint() - a) / 1e6);
    }
    per.push(median(t));
    await new Promise((resolve) => setTimeout(resolve, Number(pauseMs)));
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuPerStep = (cpu.user + cpu.system) / 1000 / (Number(rounds) * Number(reps));
  console.log(JSON.stringify({ pkg, net, per: per.map((v) => +v.toFixed(2)), median: +median(per).toFixed(2), cpuPerStep: +cpuPerStep.toFixed(2) }));
})();
