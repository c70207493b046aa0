// autograd.Function: custom forward/backward in JS, recorded as one node of the native graph.
import { autograd, nd, NDArray } from '../lib';

const vals = (x: NDArray | null): number[] => Array.from(x!.toTypedArray());

class Sigmoid extends autograd.Function {
  forward(x: NDArray): NDArray {
    const y = nd.divide(1, x.neg().exp().add(1));
    this.saveForBackward(y);
    return y;
  }
  backward(dy: NDArray): NDArray {
    const [y] = this.savedTensors;
    return dy.mul(y).mul(y.rsub(1));
  }
}

class MulAdd extends autograd.Function {
  forward(a: NDArray, b: NDArray): NDArray[] {
    this.saveForBackward(a, b);
    expect(autograd.isRecording()).toBe(false);
    return [a.mul(b), a.add(b)];
  }
  backward(dProd: NDArray, dSum: NDArray): NDArray[] {
    const [a, b] = this.savedTensors;
    return [dProd.mul(b).add(dSum), dProd.mul(a).add(dSum)];
  }
}

test('a custom sigmoid matches the built-in gradient', () => {
  const x = nd.array([-1, 0, 2], { dtype: 'float64' });
  x.attachGrad();
  const y = autograd.record(() => (new Sigmoid().call(x) as NDArray).mul(3));
  y.backward();
  const s = x.sigmoid();
  const expected = vals(s.mul(s.rsub(1)).mul(3));
  vals(x.grad).forEach((g, i) => expect(g).toBeCloseTo(expected[i], 12));
});

test('several inputs and outputs, and gradReq add', () => {
  const a = nd.array([1, 2]);
  const b = nd.array([3, 4]);
  a.attachGrad('add');
  b.attachGrad();
  for (let i = 0; i < 2; i++) {
    const [p, s] = autograd.record(() => new MulAdd().call(a, b) as NDArray[]);
    autograd.backward([p, s]);
  }
  expect(vals(a.grad)).toEqual([2 * (3 + 1), 2 * (4 + 1)]);
  expect(vals(b.grad)).toEqual([1 + 1, 2 + 1]);
});

test('an instance is used once, wrong gradient counts are errors, and ungraphed inputs just run', () => {
  const f = new Sigmoid();
  const x = nd.array([0]);
  expect(vals(f.call(x) as NDArray)).toEqual([0.5]);
  expect(() => f.call(x)).toThrow('Each Function instance can only be called once');

  class Bad extends autograd.Function {
    forward(a: NDArray, b: NDArray) {
      return a.add(b);
    }
    backward(g: NDArray) {
      return g;
    }
  }
  const a = nd.array([1]);
  a.attachGrad();
  const y = autograd.record(() => new Bad().call(a, nd.array([2])) as NDArray);
  expect(() => y.backward()).toThrow(/exactly the same number of NDArrays/);
  expect(autograd.isRecording()).toBe(false);
});

test('errors thrown by backward reach the caller', () => {
  class Throws extends autograd.Function {
    forward(a: NDArray) {
      return a.mul(2);
    }
    backward(): NDArray {
      throw new Error('custom failure');
    }
  }
  const a = nd.array([1]);
  a.attachGrad();
  const y = autograd.record(() => new Throws().call(a) as NDArray);
  expect(() => y.backward()).toThrow('custom failure');
});

test('backward runs with isTraining() set by its trainMode option, restored afterwards', () => {
  const seen: boolean[] = [];
  class Probe extends autograd.Function {
    forward(a: NDArray) {
      return a.mul(1);
    }
    backward(g: NDArray) {
      seen.push(autograd.isTraining(), autograd.isRecording());
      return g;
    }
  }
  const a = nd.array([1]);
  a.attachGrad();
  autograd.record(() => new Probe().call(a) as NDArray).backward();
  autograd.record(() => new Probe().call(a) as NDArray).backward({ trainMode: false });
  expect(seen).toEqual([true, false, false, false]);
  expect(autograd.isTraining()).toBe(false);
});
