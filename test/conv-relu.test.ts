// convolution_relu: relu(convolution(x, w, b)) in one op, relu applied in the convolution's output
// pass (what gluon's Conv layers with activation 'relu' call). Golden data from PyTorch
// (test/fixtures/nn/gen_conv_relu_fixtures.py); nd.relu(nd.convolution(...)) is the reference for
// the exact values, NaN, gradients of gradients and the gluon layer.
import * as fs from 'fs';
import * as path from 'path';
import { autograd, gluon, nd, NDArray } from '../lib';
import { invoke } from '../lib/core/dispatch';
import { assertAlmostEqual } from '../lib/testing';
import { type GArray, toNDArray, values } from './helpers/golden';

interface ConvReluCase {
  id: string;
  opts: Record<string, unknown> & { noBias: boolean };
  inputs: GArray[];
  dy: GArray;
  y: GArray;
  grads: GArray[];
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'nn', 'conv_relu.json'), 'utf8'));
const cases: ConvReluCase[] = fixture.cases;

const fused = (xs: NDArray[], opts: object): NDArray => invoke('convolution_relu', xs, opts);
const composed = (xs: NDArray[], opts: object): NDArray =>
  nd.relu(nd.convolution(xs[0], xs[1], xs[2] ?? null, opts as never));

// Gradients of sum(f(inputs) * dy) with respect to every input.
function grads(f: (xs: NDArray[]) => NDArray, inputs: NDArray[], dy: NDArray): NDArray[] {
  const xs = inputs.map((x) => x.copy());
  xs.forEach((x) => x.attachGrad());
  autograd.record(() => f(xs)).backward(dy);
  return xs.map((x) => x.grad!);
}

const bits = (a: NDArray): number[] => Array.from(a.toTypedArray() as Float32Array | Float64Array);

describe('convolution_relu (PyTorch float64 golden data)', () => {
  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const xs = c.inputs.map(toNDArray);
    assertAlmostEqual(fused(xs, c.opts), values(c.y), { rtol: 1e-12, atol: 1e-12 });
    const gs = grads((v) => fused(v, c.opts), xs, toNDArray(c.dy));
    c.grads.forEach((want, i) => assertAlmostEqual(gs[i], values(want), { rtol: 1e-10, atol: 1e-12 }));
  });
});

describe('convolution_relu is exactly relu(convolution)', () => {
  test.each(cases.map((c) => [c.id, c] as const))('%s (float32, NaN in x, forward and gradients)', (_id, c) => {
    const xs = c.inputs.map((g) => toNDArray(g).astype('float32'));
    const flat = xs[0].reshape([-1]).toTypedArray() as Float32Array;
    flat[3] = NaN;
    xs[0] = nd.array(flat, { dtype: 'float32' }).reshape(xs[0].shape);
    expect(bits(fused(xs, c.opts))).toEqual(bits(composed(xs, c.opts)));
    const dy = toNDArray(c.dy).astype('float32');
    const a = grads((v) => fused(v, c.opts), xs, dy);
    const b = grads((v) => composed(v, c.opts), xs, dy);
    a.forEach((g, i) => expect(bits(g)).toEqual(bits(b[i])));
  });

  test('second derivatives (createGraph) match the composition', () => {
    const c = cases[1];
    const run = (f: (xs: NDArray[]) => NDArray): NDArray[] => {
      const xs = c.inputs.map(toNDArray);
      xs.forEach((x) => x.attachGrad());
      autograd.record(() => {
        const y = f(xs);
        const [gx, gw] = autograd.grad(y.square().sum(), [xs[0], xs[1]], { createGraph: true });
        return gx.square().sum().add(gw.sin().sum());
      }).backward();
      return xs.map((x) => x.grad!);
    };
    const a = run((v) => fused(v, c.opts));
    const b = run((v) => composed(v, c.opts));
    a.forEach((g, i) => assertAlmostEqual(g, b[i].toTypedArray(), { rtol: 1e-12, atol: 1e-14 }));
  });

  test('bad arguments are errors naming convolution and the argument', () => {
    const x = nd.ones([1, 2, 5, 5]);
    expect(() => fused([x, nd.ones([3, 2, 3, 3])], { kernel: [3, 3], numFilter: 4, noBias: true })).toThrow(
      /convolution: weight shape \(3,2,3,3\) does not match the expected \(4,2,3,3\)/,
    );
    expect(() => fused([x, nd.ones([4, 2, 3, 3])], { kernel: [3, 3], numFilter: 4 })).toThrow(
      /convolution: expected 3 inputs \(data, weight, bias\) with noBias false, got 2/,
    );
    expect(() => fused([x, nd.ones([4, 2, 3, 3])], { kernel: [3, 3], numFilter: 4, noBias: true, stride: [0, 1] })).toThrow(
      /stride/,
    );
  });
});

describe("gluon Conv layers with activation 'relu'", () => {
  test.each([
    ['Conv2D', () => new gluon.nn.Conv2D(4, 3, { activation: 'relu', padding: 1, inChannels: 3 }), [2, 3, 6, 6]],
    ['Conv1D, no bias', () => new gluon.nn.Conv1D(4, 3, { activation: 'relu', useBias: false, inChannels: 3 }), [2, 3, 9]],
    ['Conv2DTranspose (composed)', () => new gluon.nn.Conv2DTranspose(4, 3, { activation: 'relu', inChannels: 3 }), [2, 3, 5, 5]],
  ] as const)('%s equals the convolution followed by nd.relu, with gradients', (_label, make, shape) => {
    const layer = make();
    layer.initialize();
    const x = nd.random.uniform({ low: -1, high: 1, shape: [...shape] });
    x.attachGrad();
    const y = autograd.record(() => layer.forward(x));
    y.backward(y.copy());
    const params = [layer.weight, ...(layer.bias ? [layer.bias] : [])];
    const op = layer.constructor.name === 'Conv2DTranspose' ? nd.deconvolution : nd.convolution;
    const ref = [x, ...params.map((p) => p.data())].map((a) => a.copy());
    ref.forEach((a) => a.attachGrad());
    const kwargs = (layer as unknown as { kwargs: object }).kwargs;
    const want = autograd.record(() => nd.relu(op(ref[0], ref[1], ref[2] ?? null, kwargs as never)));
    want.backward(want.copy());
    expect(bits(y)).toEqual(bits(want));
    expect(bits(x.grad!)).toEqual(bits(ref[0].grad!));
    params.forEach((p, i) => expect(bits(p.grad())).toEqual(bits(ref[i + 1].grad!)));
    expect(String(layer)).toMatch(/Activation\(relu\)/);
  });
});
