// The convolution family beyond its golden data (test/fixtures/ops/conv.json) and gradient
// checks (test/helpers/op-recipes.ts): bad arguments, the bias forms, MXNet's names, and results
// that do not depend on the thread count or the instruction set.
import { autograd, nd, NDArray } from '../lib';

function ones(shape: number[]): NDArray {
  return nd.ones(shape);
}

describe('convolution: bad arguments are errors naming the op and the option', () => {
  const x = ones([2, 4, 5, 5]);
  test('kernel larger than the padded input', () => {
    expect(() => nd.convolution(x, ones([3, 4, 7, 7]), { kernel: 7, numFilter: 3 })).toThrow(
      /convolution: kernel 7 \(dilated 7\) is larger than the padded input 5 along spatial axis 0/,
    );
    expect(() => nd.convolution(x, ones([3, 4, 3, 3]), { kernel: 3, numFilter: 3, dilate: 3 })).toThrow(
      /convolution: kernel 3 \(dilated 7\) is larger than the padded input 5/,
    );
    // pad makes it fit
    expect(nd.convolution(x, ones([3, 4, 7, 7]), { kernel: 7, numFilter: 3, pad: 1 }).shape).toEqual([2, 3, 1, 1]);
  });
  test('channels or filters not divisible by numGroup', () => {
    expect(() => nd.convolution(x, ones([3, 4, 3, 3]), { kernel: 3, numFilter: 3, numGroup: 3 })).toThrow(
      /convolution: the data's channels 4 is not divisible by numGroup 3/,
    );
    expect(() => nd.convolution(x, ones([3, 2, 3, 3]), { kernel: 3, numFilter: 3, numGroup: 2 })).toThrow(
      /convolution: numFilter 3 is not divisible by numGroup 2/,
    );
    expect(() => nd.deconvolution(x, ones([4, 1, 3, 3]), { kernel: 3, numFilter: 3, numGroup: 2 })).toThrow(
      /deconvolution: numFilter 3 is not divisible by numGroup 2/,
    );
  });
  test('wrong weight shape', () => {
    expect(() => nd.convolution(x, ones([3, 4, 3, 2]), { kernel: 3, numFilter: 3 })).toThrow(
      /convolution: weight shape \(3,4,3,2\) does not match the expected \(3,4,3,3\)/,
    );
    expect(() => nd.convolution(x, ones([3, 4, 3, 3]), { kernel: 3, numFilter: 2 })).toThrow(/expected \(2,4,3,3\)/);
    expect(() => nd.deconvolution(x, ones([3, 2, 3, 3]), { kernel: 3, numFilter: 2 })).toThrow(
      /deconvolution: weight shape \(3,2,3,3\) does not match the expected \(4,2,3,3\)/,
    );
  });
  test('negative padding, non-positive stride, kernel or dilate', () => {
    const w = ones([3, 4, 3, 3]);
    expect(() => nd.convolution(x, w, { kernel: 3, numFilter: 3, pad: -1 })).toThrow(/convolution: pad must be a non-negative integer, got -1/);
    expect(() => nd.convolution(x, w, { kernel: 3, numFilter: 3, pad: [1, -2] })).toThrow(/convolution: pad\[1\]/);
    expect(() => nd.convolution(x, w, { kernel: 3, numFilter: 3, stride: 0 })).toThrow(/convolution: stride must be positive, got \(0,0\)/);
    expect(() => nd.convolution(x, w, { kernel: [3, 0], numFilter: 3 })).toThrow(/convolution: kernel must be positive, got \(3,0\)/);
    expect(() => nd.convolution(x, w, { kernel: 3, numFilter: 3, dilate: -1 })).toThrow(/convolution: dilate must be positive, got \(-1,-1\)/);
    expect(() => nd.deconvolution(x, ones([4, 3, 3, 3]), { kernel: 3, numFilter: 3, pad: -1 })).toThrow(/deconvolution: pad/);
  });
  test('tuples of the wrong length, missing kernel or numFilter, bad ranks and layouts', () => {
    const w = ones([3, 4, 3, 3]);
    expect(() => nd.convolution(x, w, { kernel: [3, 3, 3], numFilter: 3 })).toThrow(
      /convolution: kernel \(3,3,3\) must have 1 or 2 values for a 2-D input/,
    );
    expect(() => nd.convolution(x, w, { kernel: 3, numFilter: 3, stride: [1, 1, 1] })).toThrow(/convolution: stride \(1,1,1\)/);
    expect(() => nd.convolution(x, w, { numFilter: 3 } as never)).toThrow(/convolution: .*kernel/);
    expect(() => nd.convolution(x, w, { kernel: 3 } as never)).toThrow(/convolution: .*numFilter/);
    expect(() => nd.convolution(ones([4, 5]), ones([3, 4, 3]), { kernel: 3, numFilter: 3 })).toThrow(
      /convolution: data must be 3-D, 4-D or 5-D/,
    );
    expect(() => nd.convolution(x, w, { kernel: 3, numFilter: 3, layout: 'NHWC' as never })).toThrow(
      /convolution: layout 'NHWC' is not supported for a 2-D input \(only NCHW/,
    );
    expect(() => nd.convolution(x, w, { kernel: 3, numFilter: 3, layout: 'NCW' })).toThrow(/layout 'NCW'/);
    expect(nd.convolution(x, w, { kernel: 3, numFilter: 3, layout: 'NCHW' }).shape).toEqual([2, 3, 3, 3]);
    expect(() => nd.convolution(x, w, { kernel: 3, numFilter: 3, kernal: 2 } as never)).toThrow(/unknown option 'kernal'/);
  });
  test('bias: wrong shape or dtype, given with noBias, missing with noBias false', () => {
    const w = ones([3, 4, 3, 3]);
    expect(() => nd.convolution(x, w, ones([4]), { kernel: 3, numFilter: 3 })).toThrow(/convolution: bias must be float32 of shape \(3,\)/);
    expect(() => nd.convolution(x, w, nd.ones([3], { dtype: 'float64' }), { kernel: 3, numFilter: 3 })).toThrow(/convolution: bias/);
    expect(() => nd.convolution(x, w, ones([3]), { kernel: 3, numFilter: 3, noBias: true })).toThrow(/convolution: a bias was given with noBias true/);
    expect(() => nd.convolution(x, w, { kernel: 3, numFilter: 3, noBias: false })).toThrow(/convolution: noBias is false but no bias/);
    expect(() => nd.convolution(x, nd.ones([3, 4, 3, 3], { dtype: 'float64' }), { kernel: 3, numFilter: 3 })).toThrow(
      /convolution: the second input is float64 but data is float32/,
    );
    expect(() => nd.convolution(nd.ones([2, 4, 5, 5], { dtype: 'int32' }), w, { kernel: 3, numFilter: 3 })).toThrow(
      /convolution: data must be float32 or float64, got int32/,
    );
  });
  test('deconvolution: adj not below stride, targetShape too big', () => {
    const w = ones([4, 2, 3, 3]);
    expect(() => nd.deconvolution(x, w, { kernel: 3, numFilter: 2, stride: 2, adj: 2 })).toThrow(
      /deconvolution: adj \(2,2\) must be non-negative and smaller than stride 2/,
    );
    expect(() => nd.deconvolution(x, w, { kernel: 3, numFilter: 2, targetShape: [20, 20] })).toThrow(
      /deconvolution: targetShape \(20,20\) is too big/,
    );
    expect(() => nd.deconvolution(ones([1, 4, 1, 1]), w, { kernel: 3, numFilter: 2, pad: 2 })).toThrow(/deconvolution: pad \(2,2\) leaves no output/);
  });
});

describe('convolution: call forms', () => {
  test('bias left out, null, or given; MXNet names and snake_case options', () => {
    const x = nd.arange(2 * 3 * 4 * 4).reshape([2, 3, 4, 4]).mul(0.1);
    const w = nd.arange(2 * 3 * 3 * 3).reshape([2, 3, 3, 3]).mul(0.01);
    const b = nd.array([1, -1]);
    const plain = nd.convolution(x, w, { kernel: 3, numFilter: 2, pad: 1 });
    expect(nd.convolution(x, w, null, { kernel: 3, numFilter: 2, pad: 1 }).toArray()).toEqual(plain.toArray());
    const withBias = nd.Convolution(x, w, b, { kernel: [3, 3], num_filter: 2, pad: [1, 1], no_bias: false });
    expect(withBias.toArray()).toEqual(plain.add(b.reshape([1, 2, 1, 1])).toArray());
    const d = nd.Deconvolution(plain, w, { kernel: 3, num_filter: 3, pad: 1, num_group: 1, target_shape: [4, 4] });
    expect(d.shape).toEqual([2, 3, 4, 4]);
  });

  test('gradients to data, weight and bias under record', () => {
    const x = nd.ones([1, 1, 3, 3]);
    const w = nd.ones([1, 1, 2, 2]);
    const b = nd.zeros([1]);
    for (const a of [x, w, b]) a.attachGrad();
    autograd.record(() => nd.convolution(x, w, b, { kernel: 2, numFilter: 1 }).sum()).backward();
    expect(x.grad!.toArray()).toEqual([[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]);
    expect(w.grad!.toArray()).toEqual([[[[4, 4], [4, 4]]]]);
    expect(b.grad!.toArray()).toEqual([4]);
  });
});

// A padded position's zero times an infinite weight is NaN, as im2col's product (MXNet's) makes
// it; the depthwise direct kernel skipped the pairs with the padding and gave finite outputs on
// the border (strided layers; the unit-stride ones pad their planes).
describe('depthwise convolution with an infinite weight', () => {
  test.each([[1], [2]])('stride %i: NaN where the infinite tap meets the padding', (stride) => {
    const x = nd.ones([1, 2, 5, 5]);
    const wv = new Float32Array(2 * 9).fill(1);
    wv[0] = Infinity; // channel 0, tap (0, 0): reads row and column -1 at output (0, 0)
    const w = nd.array(Array.from(wv)).reshape([2, 1, 3, 3]);
    const opts = { kernel: [3, 3], stride: [stride, stride], pad: [1, 1], numFilter: 2, numGroup: 2, noBias: true };
    const y = nd.convolution(x, w, null, opts).toArray() as number[][][][];
    expect(y[0][0][0][0]).toBeNaN();
    expect(y[0][0][1][1]).toBe(Infinity); // the tap on a real input
    expect(y[0][1][0][0]).toBe(4); // the other channel: four taps on the image
  });
});

// A depthwise plane with its padded copy beyond 8 MiB gets a buffer for the call (conv.cc's
// kKeptGridBytes) instead of the per-thread one: the same sums either way.
test('depthwise forward over planes larger than the kept buffer', () => {
  const n = 1500;
  const x = nd.ones([1, 3, n, n]);
  const w = nd.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0]).reshape([3, 1, 3, 3]);
  const y = nd.convolution(x, w, null, { kernel: [3, 3], pad: [1, 1], numFilter: 3, numGroup: 3, noBias: true });
  // each input pixel meets as many outputs as it has neighbours within the image (itself included)
  const sums = y.astype('float64').sum({ axis: [0, 2, 3] }).toArray();
  expect(sums).toEqual([(3 * n - 2) ** 2, 2 * (3 * n - 2) ** 2, n * n]);
  const corner = nd.slice(y, { begin: [0, 0, 0, 0], end: [1, 3, 2, 2] }).toArray();
  expect(corner).toEqual([[[[4, 6], [6, 9]], [[8, 12], [12, 18]], [[1, 1], [1, 1]]]]);
});
