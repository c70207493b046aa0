// Session 16: CPU time per op of the 2x2 chain of bench/recording.js, plain or inside
// autograd.pause (the callback structure of autograd.record with nothing recorded).
//   node bench/results/session16-paused.js plain|paused <chains> <package dir>
const path = require('path');
const pkg = process.argv[4];
const { nd, autograd } = require(pkg);
const { ndgradChain } = require(path.join(pkg, 'bench', 'rows.js'));
const mode = process.argv[2], n = Number(process.argv[3]);
const x = nd.array([[0.5, 0.7], [0.9, 1.1]]);
const chain = () => ndgradChain(x);
let sink = null;
const t0 = process.cpuUsage();
if (mode === 'paused') for (let i = 0; i < n; i++) sink = autograd.pause(chain);
else for (let i = 0; i < n; i++) sink = chain();
const t = process.cpuUsage(t0);
console.log(mode, ((t.user + t.system) * 1e3 / (n * 100)).toFixed(1));
