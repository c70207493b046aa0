'use strict';
// Session 9's LeNet mode driver: gluon LeNet steps timed as bench/train_step.js times its gluon
// column (rounds of REPS steps, the per-round median) with a PAUSE_MS idle wait after each round
// (mode "pause", like the bench's waits for its child engines) or none (mode "tight", like
// session8-pool-trace-steps.js). Each step's start, end and round go to stderr as "S begin end
// round", beside the "T ..." lines of a build with session9-pool-trace.patch:
//   NDGRAD_POOL_TRACE=1 node bench/results/session9-lenetmode-rounds.js pause 7 5 500 2> trace.txt
//   python3 bench/results/session9-lenetmode-summary.py trace.txt
// (NDGRAD_POOL_MOVE=0 turns the move off the caller's CPU off in that build, for A/B runs.)
const path = require('path');
const { gluonTrainStep, median } = require('../common');

const [mode = 'pause', rounds = '7', reps = '5', pauseMs = '500'] = process.argv.slice(2);
const step = gluonTrainStep(require(path.join(__dirname, '..', '..')), 'lenet');

(async () => {
  step();
  step();
  const steps = [];
  const per = [];
  for (let r = 0; r < Number(rounds); r++) {
    const t = [];
    for (let i = 0; i < Number(reps); i++) {
      const a = process.hrtime.bigint();
      step();
      const b = process.hrtime.bigint();
      steps.push([a, b, r]);
      t.push(Number(b - a) / 1e6);
    }
    per.push(median(t));
    if (mode === 'pause') await new Promise((resolve) => setTimeout(resolve, Number(pauseMs)));
  }
  for (const [a, b, r] of steps) process.stderr.write(`S ${a} ${b} ${r}\n`);
  console.log(`${mode}: per-round medians ${per.map((v) => v.toFixed(2)).join(' ')} ms, median ${median(per).toFixed(2)}`);
})();
