// Session 14: the 2x2 chain of bench/recording.js in four JS forms, one process per run:
//   node session14-jsarm.js cb|scope|paused|plain CHAINS   (PKG=<package dir> picks the build)
// cb: autograd.record(chain) per chain (the benchmark's recorded arm); scope: one
// autograd.record() scope around the whole loop; paused: autograd.pause(chain) per chain,
// nothing recorded; plain: chain() (the benchmark's unrecorded arm).
// Timed by session14-jsarm-ab.py.
const path = require('path');
const pkg = process.env.PKG || path.join(__dirname, '..', '..');
const { nd, autograd } = require(pkg);
const { ndgradChain } = require(path.join(pkg, 'bench', 'rows.js'));
const [mode, nText] = process.argv.slice(2); const n = Number(nText);
const x = nd.array([[0.5, 0.7], [0.9, 1.1]]);
if (mode !== 'plain' && mode !== 'paused') x.attachGrad();
const chain = () => ndgradChain(x);
let sink = null;
if (mode === 'cb') for (let i = 0; i < n; i++) sink = autograd.record(chain);
else if (mode === 'paused') for (let i = 0; i < n; i++) sink = autograd.pause(chain);
else if (mode === 'scope') { const s = autograd.record(); for (let i = 0; i < n; i++) sink = chain(); s.exit(); }
else for (let i = 0; i < n; i++) sink = chain();
if (n > 0 && !sink) throw new Error('none');
