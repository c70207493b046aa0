import mx, { autograd, nd } from '../lib';

describe('end to end', () => {
  test('record and backward through the native tape', () => {
    const x = nd.array([[1, 2], [3, 4]]);
    x.attachGrad();
    const z = autograd.record(() => x.mul(2).mul(x));
    z.backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([4, 8, 12, 16]);
    expect(mx.isa()).toMatch(/^(scalar|avx2|avx512)$/);
  });

  test('the `using` form scopes recording', () => {
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    let y;
    {
      using _scope = autograd.record();
      expect(autograd.isRecording()).toBe(true);
      y = x.square().sum();
    }
    expect(autograd.isRecording()).toBe(false);
    y.backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([2, 4, 6]);
  });
});
