// kept-results workload: build lists of small results (kept), drop them, repeat; plus a mixed loop
const { nd } = require(process.env.NDGRAD_PACKAGE || require('path').join(__dirname, '..', '..'));
const a = nd.array([[0.5, 0.7], [0.9, 1.1]]);
let s = 0;
for (let r = 0; r < 5; r++) {
  const kept = [];
  for (let i = 0; i < 100000; i++) kept.push(a.add(i));
  s += kept[99999].toArray()[0][0];
}
// mixed: one kept result per 4 dropped temporaries
const keep = [];
for (let i = 0; i < 50000; i++) keep.push(a.add(i).mul(2).sub(a).tanh().add(1));
console.log(s, keep.length);
