'use strict';
// Session 9: the bench's gluon MLP step in bursts of 5 after an idle pause, each step's wall
// time, minor page faults and CPU time (both threads), to show what the first steps after idle
// cost on this VM:
//   node bench/results/session9-idle-burst.js [package dir] [pause ms]
const path = require('path');
const { gluonTrainStep } = require('../common');
const step = gluonTrainStep(require(process.argv[2] || path.join(__dirname, '..', '..')), 'mlp');
const pause = Number(process.argv[3] || 1500);
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
