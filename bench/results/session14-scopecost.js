// Session 14: what one autograd.record(f) / autograd.pause(f) call costs with a trivial f (in process,
// 200,000 calls, five times). PKG=<package dir> picks the build.
const { nd, autograd } = require(process.env.PKG || require('path').join(__dirname, '..', '..'));
const x = nd.array([[0.5, 0.7], [0.9, 1.1]]);
const f = () => x;
let s = null;
for (let k = 0; k < 5; k++) {
  const n = 200000;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) s = autograd.record(f);
  let t1 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) s = autograd.pause(f);
  let t2 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) s = f();
  let t3 = process.hrtime.bigint();
  console.log(`record ${(Number(t1 - t0) / n).toFixed(0)} ns, pause ${(Number(t2 - t1) / n).toFixed(0)} ns, bare ${(Number(t3 - t2) / n).toFixed(0)} ns per call`);
}
