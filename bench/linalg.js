// nd.linalg against NumPy on the same machine, interleaved: each round times every row in ndgrad
// and then in NumPy (bench/linalg_numpy.py, one long-lived process), and the table reports the
// median over rounds of each side's median per call, and their ratio (ndgrad / NumPy).
//   node bench/linalg.js [--rounds=5]
'use strict';
const { spawn } = require('child_process');
const path = require('path');
const readline = require('readline');
const { nd } = require('..');

const rounds = Number((process.argv.find((a) => a.startsWith('--rounds=')) || '--rounds=5').split('=')[1]);

function spd(b, n, dtype) {
  const a = nd.random.normal({ shape: [b, n, n], dtype: 'float64' });
  return nd.linalg.gemm2(a, a, { transposeB: true, alpha: 1 / n }).add(nd.eye(n, { dtype: 'float64' })).astype(dtype);
}

const ROWS = [];
for (const dt of ['float32', 'float64']) {
  ROWS.push([`potrf 8x256x256 ${dt}`, () => spd(8, 256, dt), (a) => nd.linalg.potrf(a), 10]);
  ROWS.push([`inverse 8x256x256 ${dt}`, () => spd(8, 256, dt), (a) => nd.linalg.inverse(a), 10]);
  ROWS.push([`gemm2 8x256x256 ${dt}`, () => nd.random.normal({ shape: [8, 256, 256], dtype: dt }), (a) => nd.linalg.gemm2(a, a), 20]);
}
ROWS.push(['syevd 64x16x16 float64', () => spd(64, 16, 'float64'), (a) => nd.linalg.syevd(a), 10]);

function timeNdgrad(make, fn, reps) {
  const x = make();
  fn(x).dispose?.();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    const y = fn(x);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    (Array.isArray(y) ? y : [y]).forEach((z) => z.dispose());
  }
  x.dispose();
  return median(times);
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main() {
  const py = spawn('python3', [path.join(__dirname, 'linalg_numpy.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  const numpy = async (name, reps) => {
    py.stdin.write(`${name} ${reps}\n`);
    return Number((await lines.next()).value);
  };
  const ours = ROWS.map(() => []);
  const theirs = ROWS.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, [name, make, fn, reps]] of ROWS.entries()) {
      ours[i].push(timeNdgrad(make, fn, reps));
      theirs[i].push(await numpy(name, reps));
    }
  }
  py.stdin.end();
  console.log('| row | ndgrad ms | NumPy ms | ndgrad / NumPy |');
  console.log('|:---|---:|---:|---:|');
  for (const [i, [name]] of ROWS.entries()) {
    const a = median(ours[i]);
    const b = median(theirs[i]);
    console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)} |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
