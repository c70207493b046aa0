// transposeA MLP shape (784x64 . 64x256 with A stored 64x784) against the same product with A
// row-major (784x64): disposed or not. Prints median us per call.
const { nd } = require(process.argv[2]);
const mode = process.argv[3]; // ta-dispose | ta-keep | nt-dispose | nt-keep
const iters = Number(process.argv[4] || 3000);
const ta = mode.startsWith('ta');
const keep = mode.endsWith('keep');
const a = nd.random.uniform({ shape: ta ? [64, 784] : [784, 64] });
const b = nd.random.uniform({ shape: [64, 256] });
const t = [];
let c;
for (let i = 0; i < iters; i++) {
  const t0 = process.hrtime.bigint();
  c = nd.dot(a, b, { transposeA: ta });
  t.push(Number(process.hrtime.bigint() - t0) / 1e3);
  if (!keep) c.dispose();
}
t.sort((x, y) => x - y);
console.log(mode, 'median us', t[t.length >> 1].toFixed(1));
