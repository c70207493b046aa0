// The unit-stride convolution kernels on the flat grid (native/core/drivers/conv.cc,
// native/kernels/conv.inl): the output gradient and the padded input laid end to end, image
// after image, each tap a shift. Checked against a plain float64 sum over exactly the pairs a
// convolution multiplies, for shapes that cross the driver's image blocks and batch chunks, with
// padding, dilation, groups and 1-D to 3-D, and with infinities and NaN (the grid multiplies
// zeros past the outputs by real inputs, so non-finite inputs must not leak into other taps).
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

describe('unit-stride convolutions on the flat grid against a float64 sum over the pairs', () => {
  test.each(cases)('%s', (_id, g) => {
    const sz = shapeOf(g);
    const x = randomData(sz.x, 1);
    const w = randomData(sz.w, 2);
    const dy = randomData(sz.y, 3);
    const ref = reference(g, x, w, dy);
    for (const [dtype, rtol, atol] of [['float64', 1e-12, 1e-12], ['float32', 1e-4, 1e-4]] as const) {
      const got = run(g, x, w, dy, dtype);
      assertAlmostEqual(got.y.toTypedArray() as Float64Array, ref.y, { rtol, atol });
      assertAlmostEqual(got.dx.toTypedArray() as Float64Array, ref.dx, { rtol, atol });
      assertAlmostEqual(got.dw.toTypedArray() as Float64Array, ref.dw, { rtol, atol });
    }
  });
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
