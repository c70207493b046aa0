// Activation and embedding rows against PyTorch (CPU) in the same run: each round times every
// row in ndgrad, then in PyTorch processes (bench/nnact_torch.py) with two threads and with one,
// keeping PyTorch's faster configuration per row (on a shared machine its two OpenMP threads can
// be the slower one); the table gives the median over rounds of each engine's time and the ratio.
//
//   node bench/nnact.js [rounds=5]        (needs `npm run build`; PYTORCH_PYTHON=/usr/bin/python3)
const path = require('path');
const { execFileSync } = require('child_process');
const mx = require(path.join(__dirname, '..'));
const { median, medianTime } = require('./common');

const { nd, autograd } = mx;
const REPS = 30;


function rows() {
  const n = 1_000_000;
  const x = nd.array(Float32Array.from({ length: n }, (_, i) => (i % 2003) / 200 - 5));
  const xg = x.copy();
  xg.attachGrad();
  const ones = nd.ones([n]);
  const fwdBwd = (f) => () => {
    const y = autograd.record(() => f(xg));
    y.backward(ones);
    y.dispose();
  };
  const vocab = 10000;
  const dim = 128;
  const idx = nd.array(Float32Array.from({ length: 32 * 64 }, (_, i) => (i * 7919) % vocab)).reshape([32, 64]);
  const w = nd.random.normal({ shape: [vocab, dim] });
  w.attachGrad();
  const g = nd.ones([32, 64, dim]);
  const emb = (i) => nd.embedding(i, w, { inputDim: vocab, outputDim: dim });
  const relu = (v) => nd.activation(v, { actType: 'relu' });
  const gelu = (v) => nd.leakyRelu(v, { actType: 'gelu' });
  const once = (f) => () => f().dispose();
  return [
    ['relu 1e6 forward', once(() => relu(x))],
    ['gelu 1e6 forward', once(() => gelu(x))],
    ['embedding 10000x128, 2048 indices forward', once(() => emb(idx))],
    ['relu 1e6 forward+backward', fwdBwd(relu)],
    ['gelu 1e6 forward+backward', fwdBwd(gelu)],
    [
      'embedding 10000x128, 2048 indices forward+backward',
      () => {
        const y = autograd.record(() => emb(idx));
        y.backward(g);
        y.dispose();
      },
    ],
  ];
}

function main() {
  const rounds = Number(process.argv[2] ?? 5);
  const python = process.env.PYTORCH_PYTHON ?? '/usr/bin/python3';
  const table = rows();
  const ours = new Map(table.map(([name]) => [name, []]));
  const torch = new Map(table.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of table) ours.get(name).push(medianTime(fn, REPS));
    const outs = [2, 1].map((threads) =>
      JSON.parse(execFileSync(python, [path.join(__dirname, 'nnact_torch.py'), String(REPS), String(threads)], { encoding: 'utf8' })),
    );
    for (const [name] of table) torch.get(name).push(Math.min(...outs.map((o) => o[name])));
    process.stderr.write(`round ${r + 1}/${rounds}\n`);
  }
  console.log('| row | ndgrad ms | PyTorch ms | ndgrad / PyTorch |');
  console.log('|:---|---:|---:|---:|');
  for (const [name] of table) {
    const a = median(ours.get(name));
    const b = median(torch.get(name));
    console.log(`| ${name} | ${(a * 1e3).toFixed(3)} | ${(b * 1e3).toFixed(3)} | ${(a / b).toFixed(2)} |`);
  }
}

main();
