// relu_grad(g, y) = g * sign(y) in one pass: the backward of relu, Activation('relu') and
// convolution_relu (golden data: test/fixtures/ops/relu_grad.json; float64 gradient check:
// test/helpers/op-recipes.ts). Here: its argument errors, and that relu's and Activation's
// backward give exactly what the two-op rule g * sign(y) gives, NaN and signed zeros included
// (convolution_relu's gradients equal the composed relu(convolution): test/conv-relu.test.ts).
import { autograd, nd, NDArray } from '../lib';
import { invoke } from '../lib/core/dispatch';

const bits = (a: NDArray): number[] => Array.from(a.toTypedArray() as Float32Array);

describe('relu_grad', () => {
  test('g and y of different shapes or dtypes are TypeErrors naming the op', () => {
    expect(() => invoke('relu_grad', [nd.ones([2, 3]), nd.ones([3, 2])])).toThrow(/relu_grad: g and y must have the same dtype and shape/);
    expect(() => invoke('relu_grad', [nd.ones([2]), nd.ones([2], { dtype: 'float64' })])).toThrow(/got float32 \(2,\) and float64 \(2,\)/);
  });

  test.each(['relu', 'Activation'] as const)('%s: the backward is g * sign(y), bitwise', (kind) => {
    const x = nd.array([[[[-1, 0, 2, NaN], [3, -0.5, 0.25, -2], [1, 1, -1, 5], [0, 0, 7, -3]]]]);
    const g = nd.array([[[[1, Infinity, -2, 3], [NaN, 4, -Infinity, 1], [2, 2, 2, 2], [Infinity, -1, 0.5, NaN]]]]);
    const f = (v: NDArray): NDArray => (kind === 'relu' ? v.relu() : nd.activation(v, { actType: 'relu' }));
    const xv = x.copy();
    xv.attachGrad();
    const y = autograd.record(() => f(xv));
    y.backward(g);
    expect(bits(xv.grad!)).toEqual(bits(g.mul(nd.sign(y))));
  });
});
