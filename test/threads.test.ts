// Large work is split over the thread pool, and results do not depend on the thread count:
// reductions use a fixed blocking and every GEMM output is computed by one thread in one order
// (convolutions too: per-image products, a fixed number of partial weight gradients).
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.join(__dirname, '..');

const script = `
  const { nd, autograd } = require('.');
  nd.random.seed(3);
  const big = nd.random.normal({ shape: [3000003] });
  const m = nd.random.normal({ shape: [1500, 1100] });
  const a = nd.random.normal({ shape: [300, 257] });
  const b = nd.random.normal({ shape: [257, 301] });
  const ba = nd.random.normal({ shape: [16, 40, 33] });
  const bb = nd.random.normal({ shape: [16, 33, 50] });
  const wide = nd.random.normal({ shape: [2, 257, 301] });
  const cx = nd.random.normal({ shape: [5, 6, 9, 8] });
  const cw = nd.random.normal({ shape: [4, 6, 3, 3] });
  const dw = nd.random.normal({ shape: [6, 1, 3, 3] });
  for (const a of [cx, cw, dw]) a.attachGrad();
  autograd.record(() => nd.convolution(cx, cw, { kernel: 3, numFilter: 4, pad: 1 }).square().sum()).backward();
  const convGrads = [cx.grad.copy(), cw.grad.copy()];
  autograd.record(() => nd.convolution(cx, dw, { kernel: 3, numFilter: 6, numGroup: 6, stride: 2 }).square().sum()).backward();
  const bits = (x) => Buffer.from(x.toTypedArray().buffer).toString('hex');
  const digest = (x) => require('crypto').createHash('sha256').update(bits(x)).digest('hex');
  console.log(JSON.stringify({
    threads: require('./dist/core/native').native.numThreads(),
    sum: bits(big.sum()), mean: bits(big.mean()), norm: bits(big.norm()), max: bits(big.max()),
    sum0: digest(m.sum(0)), sum1: digest(m.sum(1)), norm0: digest(m.norm({ axis: 0 })),
    dot: digest(nd.dot(a, b)), dotT: digest(nd.dot(a, b.T, { transposeB: true })),
    exp: digest(big.exp()), add: digest(big.add(big)),
    batchDot: digest(nd.batchDot(ba, bb)), batchDotWide: digest(nd.batchDot(wide, wide, { transposeB: true })),
    conv: digest(nd.convolution(cx, cw, { kernel: 3, numFilter: 4, pad: 1 })),
    convGradX: digest(convGrads[0]), convGradW: digest(convGrads[1]), depthwiseGradX: digest(cx.grad), depthwiseGradW: digest(dw.grad),
    deconv: digest(nd.deconvolution(cx, cw.transpose([1, 0, 2, 3]), { kernel: 3, numFilter: 4, stride: 2 })),
    concat: digest(nd.concat(m, m, { dim: 1 })), slice: digest(nd.slice(m, { begin: [1, null], end: [null, null], step: [2, -3] })),
  }));`;

function run(threads: number) {
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NDGRAD_NUM_THREADS: String(threads) },
    timeout: 120000,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

test('results are bitwise identical for 1, 2 and 3 threads', () => {
  const [one, two, three] = [1, 2, 3].map(run);
  expect(one.threads).toBe(1);
  expect(two.threads).toBe(2);
  expect(three.threads).toBe(3);
  for (const key of Object.keys(one).filter((k) => k !== 'threads')) {
    expect([key, two[key]]).toEqual([key, one[key]]);
    expect([key, three[key]]).toEqual([key, one[key]]);
  }
});
