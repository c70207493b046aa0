// The unit-stride convolution kernels on the flat grid (native/core/drivers/conv.cc,
// native/kernels/conv.inl): the output gradient and the padded input laid end to end, image
// after image, each tap a shift. Checked against a plain float64 sum over exactly the pairs a
// convolution multiplies, for shapes that cross the driver's image blocks and batch chunks, with
// padding, dilation, groups and 1-D to 3-D, and with infinities and NaN (the grid multiplies
// zeros past the outputs by real inputs, so non-finite inputs must not leak into other taps).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { nd, NDArray } from '../lib';
import { invoke } from '../lib/core/dispatch';
import { assertAlmostEqual } from '../lib/testing';

interface Geo {
  n: number;
  c: number;
  f: number;
  groups: number;
  inp: number[];
  k: number[];
  pad: number[];
  dilate: number[];
}

const out = (g: Geo): number[] => g.inp.map((v, a) => v + 2 * g.pad[a] - g.dilate[a] * (g.k[a] - 1));
const prod = (a: number[]): number => a.reduce((p, v) => p * v, 1);

// Every (image, filter, channel, tap, output, input) pair of a unit-stride convolution, with
// flat indices into x [n, c, ...inp], y [n, f, ...out] and w [f, c / groups, ...k]; an input in
// the padding is index -1 (a zero that is multiplied: 0 * inf is NaN, as in MXNet and PyTorch).
function forEachPair(g: Geo, fn: (xi: number, yi: number, wi: number) => void): void {
  const o = out(g);
  const nd3 = (v: number[], fill: number): number[] => [...Array(3 - v.length).fill(fill), ...v];
  const [I, O, K] = [nd3(g.inp, 1), nd3(o, 1), nd3(g.k, 1)];
  const [P, D] = [nd3(g.pad, 0), nd3(g.dilate, 1)];
  const cg = g.c / g.groups;
  const fg = g.f / g.groups;
  for (let n = 0; n < g.n; n++)
    for (let f = 0; f < g.f; f++)
      for (let ci = 0; ci < cg; ci++) {
        const c = Math.floor(f / fg) * cg + ci;
        for (let kd = 0; kd < K[0]; kd++)
          for (let kh = 0; kh < K[1]; kh++)
            for (let kw = 0; kw < K[2]; kw++)
              for (let od = 0; od < O[0]; od++)
                for (let oh = 0; oh < O[1]; oh++)
                  for (let ow = 0; ow < O[2]; ow++) {
                    const id = od + kd * D[0] - P[0];
                    const ih = oh + kh * D[1] - P[1];
                    const iw = ow + kw * D[2] - P[2];
                    const pad = id < 0 || id >= I[0] || ih < 0 || ih >= I[1] || iw < 0 || iw >= I[2];
                    fn(pad ? -1 : ((((n * g.c + c) * I[0] + id) * I[1] + ih) * I[2]) + iw,
                      ((((n * g.f + f) * O[0] + od) * O[1] + oh) * O[2]) + ow,
                      ((((f * cg + ci) * K[0] + kd) * K[1] + kh) * K[2]) + kw);
                  }
      }
}

function reference(g: Geo, x: Float64Array, w: Float64Array, dy: Float64Array) {
  const y = new Float64Array(g.n * g.f * prod(out(g)));
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  forEachPair(g, (xi, yi, wi) => {
    const xv = xi < 0 ? 0 : x[xi];
    y[yi] += xv * w[wi];
    if (xi >= 0) dx[xi] += dy[yi] * w[wi];
    dw[wi] += dy[yi] * xv;
  });
  return { y, dx, dw };
}

const opts = (g: Geo) => ({ kernel: g.k, pad: g.pad, dilate: g.dilate, numGroup: g.groups });

const cases: [string, Geo][] = [
  ['LeNet conv0 1->6 5x5, 37 images', { n: 37, c: 1, f: 6, groups: 1, inp: [28, 28], k: [5, 5], pad: [0, 0], dilate: [1, 1] }],
  ['LeNet conv1 6->16 3x3, 19 images', { n: 19, c: 6, f: 16, groups: 1, inp: [12, 12], k: [3, 3], pad: [0, 0], dilate: [1, 1] }],
  ['pad (2,1) dilate (2,1) groups 2', { n: 11, c: 4, f: 6, groups: 2, inp: [9, 7], k: [3, 2], pad: [2, 1], dilate: [2, 1] }],
  ['3-D pad (1,0,2) dilate (1,2,1) groups 3', { n: 3, c: 3, f: 3, groups: 3, inp: [4, 6, 5], k: [2, 2, 3], pad: [1, 0, 2], dilate: [1, 2, 1] }],
  ['1-D pad 1, 7 filters', { n: 5, c: 2, f: 7, groups: 1, inp: [13], k: [4], pad: [1], dilate: [1] }],
];

function randomData(len: number, seed: number): Float64Array {
  const a = new Float64Array(len);
  let s = seed;
  for (let i = 0; i < len; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = s / 1073741824 - 1;
  }
  return a;
}

function run(g: Geo, x: Float64Array, w: Float64Array, dy: Float64Array, dtype: 'float32' | 'float64') {
  const xs = nd.array(x, { dtype }).reshape([g.n, g.c, ...g.inp]);
  const ws = nd.array(w, { dtype }).reshape([g.f, g.c / g.groups, ...g.k]);
  const dys = nd.array(dy, { dtype }).reshape([g.n, g.f, ...out(g)]);
  return {
    y: nd.convolution(xs, ws, null, { ...opts(g), numFilter: g.f }),
    dx: nd.deconvolution(dys, ws, null, { ...opts(g), numFilter: g.c }),
    dw: invoke('conv_weight_grad', [xs, dys], opts(g)),
  };
}

const shapeOf = (g: Geo) => ({
  x: g.n * g.c * prod(g.inp),
  w: g.f * (g.c / g.groups) * prod(g.k),
  y: g.n * g.f * prod(out(g)),
});

// dwScale widens the weight gradient's tolerances: each of its elements is a sum over every
// output of the batch (90,000 terms in the large cases).
function checkAgainstPairs(g: Geo, dwScale = 1): void {
  const sz = shapeOf(g);
  const x = randomData(sz.x, 1);
  const w = randomData(sz.w, 2);
  const dy = randomData(sz.y, 3);
  const ref = reference(g, x, w, dy);
  for (const [dtype, rtol, atol] of [['float64', 1e-12, 1e-12], ['float32', 1e-4, 1e-4]] as const) {
    const got = run(g, x, w, dy, dtype);
    assertAlmostEqual(got.y.toTypedArray() as Float64Array, ref.y, { rtol, atol });
    assertAlmostEqual(got.dx.toTypedArray() as Float64Array, ref.dx, { rtol, atol });
    assertAlmostEqual(got.dw.toTypedArray() as Float64Array, ref.dw, { rtol: rtol * dwScale, atol: atol * dwScale });
  }
}

describe('unit-stride convolutions on the flat grid against a float64 sum over the pairs', () => {
  test.each(cases)('%s', (_id, g) => checkAgainstPairs(g));
});

// Grids larger than 1 MiB run in bands of output rows (the forward, and the data gradient as a
// forward): bands that end inside a depth slice, in the padding rows between slices, and a last
// band shorter than the others.
const largeCases: [string, Geo][] = [
  ['2-D 256x257, 1 -> 3, pad 1, dilate (2,1)', { n: 2, c: 1, f: 3, groups: 1, inp: [256, 257], k: [2, 2], pad: [1, 1], dilate: [2, 1] }],
  ['3-D 12x80x91, 1 -> 2, pad (1,0,1)', { n: 1, c: 1, f: 2, groups: 1, inp: [12, 80, 91], k: [2, 2, 2], pad: [1, 0, 1], dilate: [1, 1, 1] }],
  ['2-D 300x440, groups 2, pad (2,1), dilate (1,2)', { n: 1, c: 2, f: 2, groups: 2, inp: [300, 440], k: [3, 3], pad: [2, 1], dilate: [1, 2] }],
];

describe('large images in bands of output rows against the pairwise sum', () => {
  test.each(largeCases)('%s', (_id, g) => checkAgainstPairs(g, 100));
});

// Which elements are NaN, and the others' values, must match the pairwise sum exactly.
function expectSameNaN(got: NDArray, ref: Float64Array): void {
  const a = Array.from(got.toTypedArray() as Float64Array);
  expect(a.map(Number.isNaN)).toEqual(Array.from(ref, Number.isNaN));
  const finite = (v: number[]) => v.map((e) => (Number.isNaN(e) ? 0 : e));
  assertAlmostEqual(finite(a), finite(Array.from(ref)), { rtol: 1e-12, atol: 1e-12 });
}

describe('infinities and NaN reach only the outputs the convolution pairs them with', () => {
  // non-finite inputs and weights: the first and last input of a row (next to the zeros past the
  // outputs on the grid) and a weight
  test.each(cases)('inputs and weights: %s', (_id, g) => {
    const sz = shapeOf(g);
    const x = randomData(sz.x, 4);
    const w = randomData(sz.w, 5);
    const dy = randomData(sz.y, 6);
    x[0] = Infinity;
    x[g.inp[g.inp.length - 1] - 1] = NaN;
    x[sz.x - 1] = -Infinity;
    w[sz.w - 1] = Infinity;
    const ref = reference(g, x, w, dy);
    const got = run(g, x, w, dy, 'float64');
    expectSameNaN(got.y, ref.y);
    expectSameNaN(got.dx, ref.dx);
    expectSameNaN(got.dw, ref.dw);
  });

  // a NaN output gradient meets the padding's zeros in the weight gradient (0 * NaN), as im2col
  test.each(cases)('output gradient: %s', (_id, g) => {
    const sz = shapeOf(g);
    const x = randomData(sz.x, 7);
    const w = randomData(sz.w, 8);
    const dy = randomData(sz.y, 9);
    dy[Math.floor(sz.y / 2)] = NaN;
    dy[sz.y - 1] = Infinity;
    const ref = reference(g, x, w, dy);
    const got = run(g, x, w, dy, 'float64');
    expectSameNaN(got.dx, ref.dx);
    expectSameNaN(got.dw, ref.dw);
  });
});

// An infinite input anywhere in the batch sends the weight gradient off the grid; for a depthwise
// layer that was the direct kernel, which skips the pairs of outputs with the padding: an
// infinite output gradient next to the padding then gave finite sums where the grid (and im2col,
// and MXNet) give NaN, depending on what another channel's input held.
// Without padding the direct kernel skips no pair and keeps an infinite output gradient.
describe('an infinite output gradient meets the padding whatever the inputs hold', () => {
  const depthwise = (pad: number): Geo => ({ n: 2, c: 2, f: 4, groups: 2, inp: [4, 5], k: [3, 3], pad: [pad, pad], dilate: [1, 1] });
  test.each([[false, 1], [true, 1], [false, 0], [true, 0]])('an infinite input in another channel: %s, padding %i', (xInf, pad) => {
    const g = depthwise(pad);
    const sz = shapeOf(g);
    const x = randomData(sz.x, 21);
    const w = randomData(sz.w, 22);
    const dy = randomData(sz.y, 23);
    if (xInf) x[sz.x - 1] = Infinity;
    dy[0] = Infinity;
    dy[prod(out(g)) + 7] = -Infinity;
    const got = run(g, x, w, dy, 'float64');
    expectSameNaN(got.dw, reference(g, x, w, dy).dw);
  });
});

// Random geometries (seeded, so a failure names its trial): 1-D to 3-D, groups, odd extents,
// kernels larger than the input with padding, padding beyond the kernel's reach (the data
// gradient's fallback), dilations, batches of 1, with and without bias, convolution_relu, and
// one operand with infinities or NaN in a third of the trials. Every path a unit-stride
// convolution can take is held to the same pairwise sum.
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomGeo(r: () => number): Geo {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const nd = [1, 2, 2, 2, 3][int(0, 4)];
  const groups = [1, 1, 2, 3][int(0, 3)];
  const [maxK, maxIn] = nd === 3 ? [3, 5] : nd === 2 ? [4, 11] : [6, 23];
  const g: Geo = { n: r() < 0.15 ? int(9, 20) : int(1, 3), c: groups * int(1, 4), f: groups * int(1, 8), groups, inp: [], k: [], pad: [], dilate: [] };
  for (let a = 0; a < nd; a++) {
    const k = int(1, maxK);
    const dilate = int(1, 3);
    const reach = dilate * (k - 1);
    const pad = int(0, reach + 1);
    const minIn = Math.max(1, reach + 1 - 2 * pad);
    g.k.push(k);
    g.dilate.push(dilate);
    g.pad.push(pad);
    g.inp.push(int(minIn, Math.max(minIn, maxIn)));
  }
  return g;
}

function withBias(ref: { y: Float64Array; dx: Float64Array }, g: Geo, by: Float64Array, bx: Float64Array) {
  const yPlane = prod(out(g));
  const xPlane = prod(g.inp);
  return {
    y: ref.y.map((v, i) => v + by[Math.floor(i / yPlane) % g.f]),
    dx: ref.dx.map((v, i) => v + bx[Math.floor(i / xPlane) % g.c]),
  };
}

describe('random unit-stride geometries against the pairwise sum', () => {
  const trials = 100;
  test.each(Array.from({ length: trials }, (_, i) => i))('trial %i', (trial) => {
    const r = mulberry32(1000 + trial);
    const g = randomGeo(r);
    const sz = shapeOf(g);
    const x = randomData(sz.x, 3 * trial + 11);
    const w = randomData(sz.w, 3 * trial + 12);
    const dy = randomData(sz.y, 3 * trial + 13);
    const nonFinite = trial % 3 === 2;
    if (nonFinite) {
      const target = [x, w, dy][Math.floor(r() * 3)];
      for (const v of [Infinity, NaN, -Infinity]) target[Math.floor(r() * target.length)] = v;
    }
    const useBias = r() < 0.5;
    const by = randomData(g.f, trial + 7);
    const bx = randomData(g.c, trial + 8);
    const ref = reference(g, x, w, dy);
    const want = useBias ? withBias(ref, g, by, bx) : ref;
    const relu = (v: number) => (v > 0 || Number.isNaN(v) ? v : 0);
    const tolerances = nonFinite ? ([['float64', 1e-12, 1e-12]] as const) : ([['float64', 1e-12, 1e-12], ['float32', 1e-4, 1e-4]] as const);
    for (const [dtype, rtol, atol] of tolerances) {
      const xs = nd.array(x, { dtype }).reshape([g.n, g.c, ...g.inp]);
      const ws = nd.array(w, { dtype }).reshape([g.f, g.c / g.groups, ...g.k]);
      const dys = nd.array(dy, { dtype }).reshape([g.n, g.f, ...out(g)]);
      const bf = useBias ? nd.array(by, { dtype }) : null;
      const bc = useBias ? nd.array(bx, { dtype }) : null;
      const what = `${dtype} ${JSON.stringify(g)} bias ${useBias}`;
      const check = (got: NDArray, ref: Float64Array, name: string) => {
        try {
          assertAlmostEqual(got.toTypedArray() as Float64Array, ref, { rtol, atol });
        } catch (e) {
          throw new Error(`${name} of ${what}: ${(e as Error).message}`);
        }
      };
      check(nd.convolution(xs, ws, bf, { ...opts(g), numFilter: g.f, noBias: !useBias }), want.y, 'y');
      check(invoke('convolution_relu', useBias ? [xs, ws, bf as NDArray] : [xs, ws], { ...opts(g), numFilter: g.f, noBias: !useBias }), want.y.map(relu), 'relu(y)');
      check(nd.deconvolution(dys, ws, bc, { ...opts(g), numFilter: g.c, noBias: !useBias }), want.dx, 'dx');
      check(invoke('conv_weight_grad', [xs, dys], opts(g)), ref.dw, 'dw');
    }
  });
});

// Run in a child process: the resident growth over `body` with two pool threads, in MB.
function residentGrowth(body: string): number {
  const script = `
    const { nd } = require(${JSON.stringify(path.join(__dirname, '..'))});
    const rss = () => process.memoryUsage().rss / 1048576;
    ${body}`;
  // the regular build also under npm run test:asan (ASan's quarantine holds freed memory)
  const env: NodeJS.ProcessEnv = { ...process.env, NDGRAD_NUM_THREADS: '2' };
  delete env.LD_PRELOAD;
  delete env.NDGRAD_PREBUILD;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env, timeout: 120000 });
  expect(r.stderr).toBe('');
  return Number(r.stdout.trim());
}

// A grid holds whole padded rows of every channel of a group. Kept per pool thread, the grid of
// a whole 1024x1024 image (3 -> 16 channels, 80 MB) stayed allocated for the life of the process;
// in bands it is at most about 1 MiB.
describe('a large unit-stride convolution leaves no grid behind', () => {
  test('forward and data gradient', () => {
    const growth = residentGrowth(`
      const x = nd.ones([1, 3, 1100, 1100]);
      const w = nd.ones([16, 3, 3, 3]);
      const dy = nd.ones([1, 16, 1100, 1100]);
      const before = rss();
      nd.convolution(x, w, null, { kernel: [3, 3], pad: [1, 1], numFilter: 16, noBias: true }).dispose();
      nd.deconvolution(dy, w, null, { kernel: [3, 3], pad: [1, 1], numFilter: 3, noBias: true }).dispose();
      console.log(Math.round(rss() - before));`);
    // the 77 MB output is above the sizes the storage pool caches, the 15 MB data gradient
    // within its cache; the grid was 92 MB
    expect(growth).toBeLessThan(50);
  });

  test('weight gradient', () => {
    const growth = residentGrowth(`
      const { invoke } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'core', 'dispatch'))});
      const x = nd.ones([1, 3, 1100, 1100]);
      const dy = nd.ones([1, 16, 1100, 1100]);
      const before = rss();
      invoke('conv_weight_grad', [x, dy], { kernel: [3, 3], pad: [1, 1] }).dispose();
      console.log(Math.round(rss() - before));`);
    // the gradient is 1.7 KB; the grid of the whole image was 89 MB
    expect(growth).toBeLessThan(30);
  });

  test('depthwise forward', () => {
    const growth = residentGrowth(`
      const x = nd.ones([1, 2, 1500, 1500]);
      const w = nd.ones([2, 1, 3, 3]);
      const before = rss();
      for (let i = 0; i < 2; i++) {
        nd.convolution(x, w, null, { kernel: [3, 3], pad: [1, 1], numFilter: 2, numGroup: 2, noBias: true }).dispose();
      }
      console.log(Math.round(rss() - before));`);
    // the 18 MB output stays in the storage pool's cache; each thread's padded plane and its
    // grid (18 MB) stayed too, in malloc's arenas when not kept per thread (53 MB in all)
    expect(growth).toBeLessThan(30);
  });
});

// A 1x1 convolution without padding is one product per image on the image itself (conv.cc's
// pointwise strategy), with no copy. The flat grid took these too when the channels were few
// (fg * cg <= 4096): a copy of every image onto a grid of (cg + fg) planes, kept per pool thread
// for the life of the process (134 MB per thread here), and 2x to 5x the forward's time
// (64 -> 64 channels over 8 images of 56x56: 7.4-11.3 ms against 1.8-2.2 ms at one thread).
describe('a pointwise convolution runs on the images themselves', () => {
  test('no grid stays resident after the results are disposed', () => {
    const growth = residentGrowth(`
      const x = nd.ones([2, 64, 512, 512]);
      const w = nd.ones([64, 64, 1, 1]);
      const before = rss();
      for (let i = 0; i < 2; i++) nd.convolution(x, w, null, { kernel: [1, 1], numFilter: 64, noBias: true }).dispose();
      console.log(Math.round(rss() - before));`);
    // the 134 MB outputs are above the sizes the storage pool caches
    expect(growth).toBeLessThan(60);
  });
});
