// autograd: recording scopes, gradReq semantics, head gradients, graph freeing, MXNet's errors
// and the in-place rules.
import { autograd, nd, NDArray } from '../lib';

const vals = (x: NDArray | null): number[] => Array.from(x!.toTypedArray());

const NOT_IN_GRAPH = /^Cannot differentiate node because it is not in a computational graph\. You need to set is_recording to true or use autograd\.record\(\) to save computational graphs for backward\. If you want to differentiate the same graph twice, you need to pass retain_graph=True to backward\. \(In ndgrad: compute the head inside autograd\.record\(\(\) => \.\.\.\), and call backward\(\{ retainGraph: true \}\) to differentiate it again\.\)$/;

afterEach(() => {
  // No test may leak recording state into the next.
  expect(autograd.isRecording()).toBe(false);
  expect(autograd.isTraining()).toBe(false);
});

describe('recording flags and scopes', () => {
  test('record sets recording and training, and restores both', () => {
    autograd.record(() => {
      expect(autograd.isRecording()).toBe(true);
      expect(autograd.isTraining()).toBe(true);
    });
    autograd.record(
      () => {
        expect(autograd.isTraining()).toBe(false);
      },
      { trainMode: false },
    );
  });

  test('pause stops recording inside record; trainMode/predictMode only touch training', () => {
    autograd.record(() => {
      autograd.pause(() => {
        expect(autograd.isRecording()).toBe(false);
        expect(autograd.isTraining()).toBe(false);
      });
      expect(autograd.isRecording()).toBe(true);
      autograd.predictMode(() => {
        expect(autograd.isRecording()).toBe(true);
        expect(autograd.isTraining()).toBe(false);
      });
    });
    autograd.trainMode(() => {
      expect(autograd.isTraining()).toBe(true);
      expect(autograd.isRecording()).toBe(false);
    });
  });

  test('setRecording and setTraining return the previous value', () => {
    expect(autograd.setRecording(true)).toBe(false);
    expect(autograd.setRecording(false)).toBe(true);
    expect(autograd.setTraining(true)).toBe(false);
    expect(autograd.setTraining(false)).toBe(true);
  });

  test('flags are restored when the callback throws', () => {
    expect(() =>
      autograd.record(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
  });

  test('record(fn) returning a Promise throws a clear error', () => {
    expect(() => autograd.record(async () => 1)).toThrow(/returned a Promise/);
  });

  test('the using form', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    let y: NDArray;
    {
      using _rec = autograd.record();
      y = x.exp();
      {
        using _p = autograd.pause();
        expect(autograd.isRecording()).toBe(false);
      }
      expect(autograd.isRecording()).toBe(true);
    }
    y.backward();
    expect(vals(x.grad)).toEqual(vals(x.exp()));
  });

  test('MXNet spellings of the autograd functions', () => {
    expect(autograd.is_recording()).toBe(false);
    expect(autograd.is_training()).toBe(false);
    autograd.train_mode(() => expect(autograd.is_training()).toBe(true));
  });
});

describe('gradients', () => {
  test('x.grad is null until attachGrad, then zeros', () => {
    const x = nd.array([1, 2, 3]);
    expect(x.grad).toBeNull();
    x.attachGrad();
    expect(vals(x.grad)).toEqual([0, 0, 0]);
    const y = autograd.record(() => x.mul(2));
    expect(y.grad).toBeNull();
  });

  test("gradReq 'write' overwrites, 'add' accumulates, 'null' leaves the buffer alone", () => {
    const w = nd.array([1, 2]);
    const a = nd.array([1, 2]);
    const n = nd.array([1, 2]);
    w.attachGrad('write');
    a.attachGrad('add');
    n.attachGrad('null');
    for (let i = 0; i < 3; i++) {
      const y = autograd.record(() => w.mul(a).mul(n).sum());
      y.backward();
    }
    expect(vals(w.grad)).toEqual([1, 4]);
    expect(vals(a.grad)).toEqual([3, 12]);
    expect(vals(n.grad)).toEqual([0, 0]);
  });

  test('same-shape elementwise ops record their shapes, saved tensors and inputs (5-D, 9-D, constants, x*x)', () => {
    // the same-shape path stores one copy of the dimensions for inputs and result; 9-D shapes do
    // not fit a node inline
    for (const shape of [[2, 1, 3, 1, 2], [1, 2, 1, 1, 2, 1, 1, 1, 2]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const xv = Array.from({ length: n }, (_, i) => 0.1 * (i + 1));
      const cv = Array.from({ length: n }, (_, i) => 1 - 0.05 * i);
      const x = nd.array(xv).reshape(shape);
      const c = nd.array(cv).reshape(shape); // not in the graph
      x.attachGrad();
      const y = autograd.record(() => x.mul(x).mul(c).add(c).tanh().sub(c).sum());
      y.backward();
      expect(x.grad!.shape).toEqual(shape);
      const expected = xv.map((v, i) => {
        const t = Math.tanh(v * v * cv[i] + cv[i]);
        return (1 - t * t) * cv[i] * 2 * v;
      });
      const got = vals(x.grad);
      got.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 5));
    }
  });

  test('same-shape nodes give the gradients of the generic path at every layout boundary (1-D to 9-D, float32/float64)', () => {
    // A same-shape call writes a fixed-layout node (shapes inline up to eight dimensions, two
    // entries, two saved tensors); a broadcasting call of the same values records through the
    // generic path. Both must give the analytic gradient, for the live input first or second.
    for (const dtype of ['float32', 'float64'] as const) {
      for (const shape of [[1], [3], [2, 2], [1, 2, 1, 1, 2, 1, 1, 1], [1, 2, 1, 1, 2, 1, 1, 1, 1]]) {
        const n = shape.reduce((a, b) => a * b, 1);
        const xv = Array.from({ length: n }, (_, i) => 0.1 * (i + 1));
        const cv = Array.from({ length: n }, (_, i) => 1 - 0.05 * i);
        const x = nd.array(xv, { dtype }).reshape(shape);
        const c = nd.array(cv, { dtype }).reshape(shape); // same shape: the fixed-layout node
        const ones = nd.ones([1, ...shape], { dtype }); // broadcasts x: the generic path
        const expected = xv.map((v, i) => {
          const t = Math.tanh(v * v * cv[i] + cv[i]);
          return (1 - t * t) * cv[i] * 2 * v - 1;
        });
        const digits = dtype === 'float64' ? 12 : 5;
        for (const generic of [false, true]) {
          x.attachGrad();
          const y = autograd.record(() => {
            const xx = generic ? x.mul(ones).reshape(shape) : x;
            return c.mul(xx.mul(x)).add(c).tanh().sub(x).sum();
          });
          y.backward();
          expect(x.grad!.shape).toEqual(shape);
          expect(x.grad!.dtype).toBe(dtype);
          vals(x.grad).forEach((g, i) => expect(g).toBeCloseTo(expected[i], digits));
        }
      }
    }
  });

  test("retainGraph lets a graph be differentiated twice ('add' doubles, as MXNet's test_retain_grad)", () => {
    const x = nd.array([1]);
    x.attachGrad('add');
    const y = autograd.record(() => x.add(1));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(vals(x.grad)).toEqual([2]);
    expect(() => y.backward()).toThrow(NOT_IN_GRAPH);
  });

  test('backward on an array that was not recorded throws MXNet message', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(NOT_IN_GRAPH);
  });

  test('no input requiring gradients', () => {
    const x = nd.array([1, 2]);
    x.attachGrad('null');
    const y = autograd.record(() => x.mul(2));
    expect(() => y.backward()).toThrow('There are no inputs in computation graph that require gradients.');
  });

  test('head gradients: explicit, non-scalar heads backpropagate ones, shape checked', () => {
    const x = nd.array([[1, 2], [3, 4]]);
    x.attachGrad();
    let y = autograd.record(() => x.mul(x));
    y.backward(nd.array([[1, 0], [0, 2]]));
    expect(vals(x.grad)).toEqual([2, 0, 0, 16]);
    y = autograd.record(() => x.mul(x));
    expect(() => y.backward(nd.ones([4]))).toThrow(/head gradient 0 has shape \(4,\) but its head has shape \(2,2\)/);
  });

  test('autograd.backward with several heads and null entries meaning ones', () => {
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    const [a, b] = autograd.record(() => [x.mul(2), x.square()]);
    autograd.backward([a, b], [null, nd.array([1, 1, 2])]);
    expect(vals(x.grad)).toEqual([2 + 2, 2 + 4, 2 + 12]);
    const [c, d] = autograd.record(() => [x.mul(2), x.square()]);
    expect(() => autograd.backward([c, d], [null])).toThrow(/same length/);
  });

  test('variables reachable from the head that get no gradient are zeroed; unreachable ones untouched', () => {
    const x = nd.array([1, 2]);
    const u = nd.array([5, 5]);
    x.attachGrad();
    u.attachGrad();
    u.grad!.set(7);
    x.grad!.set(9);
    const y = autograd.record(() => x.argmax().add(1));
    y.backward();
    expect(vals(x.grad)).toEqual([0, 0]);
    expect(vals(u.grad)).toEqual([7, 7]);
  });

  test('attachGrad on a recorded array makes it a fresh leaf', () => {
    const x = nd.array([2]);
    x.attachGrad();
    const z = autograd.record(() => {
      const y = x.mul(3);
      y.attachGrad();
      return y.mul(y);
    });
    z.backward();
    expect(vals(x.grad)).toEqual([0]);
  });

  test('detach cuts the graph', () => {
    const x = nd.array([2]);
    x.attachGrad();
    const z = autograd.record(() => x.mul(x.detach()));
    z.backward();
    expect(vals(x.grad)).toEqual([2]);
  });

  test('set(y) under record is recorded as a copy, so gradients flow to y', () => {
    const y = nd.array([1, 2]);
    y.attachGrad();
    const target = nd.zeros([2]);
    const z = autograd.record(() => {
      target.set(y.mul(3));
      return target.mul(2);
    });
    z.backward();
    expect(vals(y.grad)).toEqual([6, 6]);
  });

  test('gradients flow through views (at, slice, reshape)', () => {
    const x = nd.array([[1, 2], [3, 4], [5, 6]]);
    x.attachGrad();
    const z = autograd.record(() => x.at(1).mul(10).sum().add(x.slice(2).reshape([2]).square().sum()));
    z.backward();
    expect(vals(x.grad)).toEqual([0, 0, 10, 10, 10, 12]);
  });

  test('autograd.grad returns new arrays and leaves x.grad alone; createGraph gives second derivatives', () => {
    const x = nd.array([1, 2, 3], { dtype: 'float64' });
    x.attachGrad();
    const y = autograd.record(() => x.pow(3));
    const [dx] = autograd.grad(y, x, { createGraph: true });
    expect(vals(dx)).toEqual([3, 12, 27]);
    expect(vals(x.grad)).toEqual([0, 0, 0]);
    dx.backward();
    expect(vals(x.grad)).toEqual([6, 12, 18]);
  });

  test('grad with an empty variable list', () => {
    const x = nd.array([1]);
    x.attachGrad();
    const y = autograd.record(() => x.mul(2));
    expect(() => autograd.grad(y, [])).toThrow('grad: variables cannot be an empty list.');
  });

  test('grad with respect to an array that does not require gradient', () => {
    const x = nd.array([1]);
    x.attachGrad();
    const other = nd.array([1]);
    const y = autograd.record(() => x.mul(2));
    expect(() => autograd.grad(y, [x, other])).toThrow(
      'Cannot differentiate with respect to the 2-th variable because it does not require gradient.',
    );
  });

  test('markVariables uses the given buffers', () => {
    const x = nd.array([1, 2]);
    const g = nd.zeros([2]);
    autograd.markVariables(x, g);
    const y = autograd.record(() => x.mul(x));
    y.backward();
    expect(vals(g)).toEqual([2, 4]);
    autograd.mark_variables([x], [g], ['add']);
    autograd.record(() => x.mul(x)).backward();
    autograd.record(() => x.mul(x)).backward();
    expect(vals(g)).toEqual([6, 12]);
  });

  // A graph node keeps shapes inline for up to three tensors of eight dimensions in all; these
  // go past both limits and must come back from the node unchanged.
  test('gradients through nodes with deep shapes and many inputs', () => {
    const a = nd.arange(1, 13).reshape([2, 1, 3, 1, 2]);
    const b = nd.arange(1, 5).reshape([1, 2, 1, 2, 1]);
    a.attachGrad();
    b.attachGrad();
    autograd.record(() => a.mul(b).sum()).backward();
    // d/da sums b over a's broadcast axes (1 and 3), d/db sums a over b's (0, 2 and 4)
    expect(a.grad!.shape).toEqual([2, 1, 3, 1, 2]);
    expect(vals(a.grad)).toEqual(new Array(12).fill(10));
    expect(b.grad!.shape).toEqual([1, 2, 1, 2, 1]);
    expect(vals(b.grad)).toEqual(new Array(4).fill(78));

    const parts = [1, 2, 3, 4, 5].map((k) => nd.full([1, k], k));
    for (const p of parts) p.attachGrad();
    const w = nd.arange(0, 15).reshape([1, 15]);
    autograd.record(() => nd.concat(...parts, { dim: 1 }).mul(w).sum()).backward();
    let at = 0;
    parts.forEach((p, k) => {
      expect(p.grad!.shape).toEqual([1, k + 1]);
      expect(vals(p.grad)).toEqual(Array.from({ length: k + 1 }, (_, i) => at + i));
      at += k + 1;
    });
  });
});

describe('in-place writes', () => {
  test('assigning to an array already in a graph throws MXNet error', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    expect(() => autograd.record(() => x.addInPlace(1))).toThrow(/^Assigning to NDArrays that are already in a computational graph/);
    expect(() =>
      autograd.record(() => {
        const y = x.mul(2);
        y.mulInPlace(2);
      }),
    ).toThrow(/Assigning to NDArrays that are already in a computational graph/);
  });

  test('in-place op on a plain array with a recorded input throws the second MXNet error', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    const plain = nd.zeros([2]);
    expect(() => autograd.record(() => plain.addInPlace(x))).toThrow(
      'Inplace operations (+=, -=, x[:]=, etc) are not supported when recording with autograd.',
    );
  });

  test('outside record in-place writes are plain (the SGD update)', () => {
    const w = nd.array([1, 2]);
    w.attachGrad();
    autograd.record(() => w.square().sum()).backward();
    w.subInPlace(w.grad!.mul(0.5));
    expect(vals(w)).toEqual([0, 0]);
  });

  test('inside record, in-place ops on arrays outside any graph are not recorded', () => {
    const z = nd.zeros([3]);
    autograd.record(() => z.addInPlace(1));
    expect(vals(z)).toEqual([1, 1, 1]);
  });

  test('overwriting an array saved for backward makes backward throw instead of a wrong gradient', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    const a = nd.array([3, 4]);
    const y = autograd.record(() => x.mul(a));
    a.set(100);
    expect(() => y.backward()).toThrow(/was modified in place after it was recorded/);
    const e = autograd.record(() => x.exp());
    e.addInPlace(1);
    expect(() => e.backward()).toThrow(/'exp' saved for its gradient was modified in place/);
  });
});
