// MXNet's out=: an op writes its result into an existing array of the result's shape and dtype
// (an op with several results into a list of them), returns it, bumps its version counter and
// allocates no result block; bad arrays are errors naming the op, the argument and the
// shapes/dtypes; an array of the graph being recorded is refused (as MXNet refuses it).
import { autograd, nd, NDArray } from '../lib';
import { invoke } from '../lib/core/dispatch';
import { native } from '../lib/core/native';
import { expectError } from './helpers/errors';

// The storage pool's count of buffers handed out (internal: nd.memory() is the public view).
function allocations(): number {
  return native.allocations();
}

/** Runs f and returns how many storage blocks it allocated. */
function allocatedBy(f: () => void): number {
  const before = allocations();
  f();
  return allocations() - before;
}

const a = nd.array([[1, 2, 3], [4, 5, 6]]);
const b = nd.array([[10, 20, 30], [40, 50, 60]]);

describe('out= writes into the given array', () => {
  test('binary: nd.add(a, b, { out }) returns out, holding a + b, with no new block', () => {
    const c = nd.zeros([2, 3]);
    let r!: NDArray;
    expect(allocatedBy(() => (r = nd.add(a, b, { out: c })))).toBe(0);
    expect(r).toBe(c);
    expect(c.toArray()).toEqual([[11, 22, 33], [44, 55, 66]]);
    // the same call without out allocates its result
    expect(allocatedBy(() => nd.add(a, b))).toBe(1);
  });

  test('binary with a number on either side, and the other binary ops', () => {
    const c = nd.zeros([2, 3]);
    expect(allocatedBy(() => nd.multiply(a, 2, { out: c }))).toBe(0);
    expect(c.toArray()).toEqual([[2, 4, 6], [8, 10, 12]]);
    nd.subtract(10, a, { out: c });
    expect(c.toArray()).toEqual([[9, 8, 7], [6, 5, 4]]);
    nd.maximum(a, 3, { out: c });
    expect(c.toArray()).toEqual([[3, 3, 3], [4, 5, 6]]);
    const mask = nd.zeros([2, 3]);
    nd.greater(b, 25, { out: mask });
    expect(mask.toArray()).toEqual([[0, 0, 1], [1, 1, 1]]);
  });

  test('broadcasting into out', () => {
    const c = nd.zeros([2, 3]);
    nd.add(a, nd.array([100, 200, 300]), { out: c });
    expect(c.toArray()).toEqual([[101, 202, 303], [104, 205, 306]]);
  });

  test('unary: nd.exp(x, { out })', () => {
    const x = nd.array([0, 1, 2]);
    const y = nd.zeros([3]);
    let r!: NDArray;
    expect(allocatedBy(() => (r = nd.exp(x, { out: y })))).toBe(0);
    expect(r).toBe(y);
    expect(Array.from(y.toTypedArray())).toEqual(Array.from(x.exp().toTypedArray()));
    nd.negative(x, { out: y });
    expect(Array.from(y.toTypedArray())).toEqual([-0, -1, -2]);
  });

  test('reductions, as functions and as methods', () => {
    const s = nd.zeros([3]);
    let r!: NDArray;
    expect(allocatedBy(() => (r = nd.sum(a, { axis: 0, out: s })))).toBe(0);
    expect(r).toBe(s);
    expect(s.toArray()).toEqual([5, 7, 9]);
    a.max({ axis: 0, out: s });
    expect(s.toArray()).toEqual([4, 5, 6]);
    const kept = nd.zeros([2, 1]);
    a.mean({ axis: 1, keepdims: true, out: kept });
    expect(kept.toArray()).toEqual([[2], [5]]);
    const total = nd.zeros([1]);
    nd.sum(a, { out: total });
    expect(total.asScalar()).toBe(21);
    const run = nd.zeros([2, 3]);
    a.cumsum({ axis: 1, out: run });
    expect(run.toArray()).toEqual([[1, 3, 6], [4, 9, 15]]);
  });

  test('dot and other ops with options', () => {
    const m = nd.zeros([2, 2]);
    let r!: NDArray;
    const before = allocations();
    r = nd.dot(a, b, { transposeB: true, out: m });
    const withOut = allocations() - before;
    const without = allocatedBy(() => nd.dot(a, b, { transposeB: true }));
    expect(withOut).toBe(without - 1); // everything but the result block
    expect(r).toBe(m);
    expect(m.toArray()).toEqual([[140, 320], [320, 770]]);
    const p = nd.zeros([2, 3]);
    nd.softmax(a, { out: p });
    expect(Array.from(p.toTypedArray())).toEqual(Array.from(nd.softmax(a).toTypedArray()));
  });

  test('gathering, joining, slicing, one-hot and ordering ops', () => {
    // Each: the out call against the same call without out, and no block for the result.
    const cols = nd.array([1, 0], { dtype: 'int32' });
    const picks = nd.array([2, 0], { dtype: 'int32' });
    const labels = nd.array([0, 2]);
    const cases: [string, (o?: { out: NDArray }) => NDArray, number[], 'float32' | 'int32'][] = [
      ['take', (o) => nd.take(a, cols, { axis: 1, ...o }), [2, 2], 'float32'],
      ['pick', (o) => nd.pick(a, picks, { axis: 1, ...o }), [2], 'float32'],
      ['concat', (o) => nd.concat(a, b, { dim: 0, ...o }), [4, 3], 'float32'],
      ['stack', (o) => nd.stack(a, b, { axis: 1, ...o }), [2, 2, 3], 'float32'],
      ['slice', (o) => nd.slice(a, { begin: [0, 1], end: [2, 3], ...o }), [2, 2], 'float32'],
      ['oneHot', (o) => nd.oneHot(labels, 3, { ...o }), [2, 3], 'float32'],
      ['topk', (o) => nd.topk(a, { k: 2, retTyp: 'value', ...o }) as NDArray, [2, 2], 'float32'],
      ['sort', (o) => nd.sort(a, { isAscend: false, ...o }), [2, 3], 'float32'],
    ];
    for (const [name, call, shape, dtype] of cases) {
      const expected = call().toArray();
      const out = nd.zeros(shape, { dtype });
      let r!: NDArray;
      expect([name, allocatedBy(() => (r = call({ out })))]).toEqual([name, 0]);
      expect(r).toBe(out);
      expect([name, out.toArray()]).toEqual([name, expected]);
    }
  });

  test('a view op (reshape) copies into out', () => {
    const flat = nd.zeros([6]);
    expect(invoke('reshape', [a], { shape: [6], out: flat })).toBe(flat);
    expect(flat.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('out may be one of the inputs', () => {
    const c = a.copy();
    expect(nd.add(c, b, { out: c })).toBe(c);
    expect(c.toArray()).toEqual([[11, 22, 33], [44, 55, 66]]);
    const m = nd.array([[1, 2], [3, 4]]);
    nd.dot(m, m, { out: m });
    expect(m.toArray()).toEqual([[7, 10], [15, 22]]);
  });

  test('out: null or undefined is no out', () => {
    const r = nd.add(a, b, { out: null });
    expect(r.toArray()).toEqual([[11, 22, 33], [44, 55, 66]]);
    expect(nd.sum(a, { axis: 0, out: undefined }).toArray()).toEqual([5, 7, 9]);
  });
});

describe('bad out arrays', () => {
  test('a wrong shape is a RangeError naming the op, out and both shapes', () => {
    expectError(() => nd.add(a, b, { out: nd.zeros([3, 2]) }), RangeError,
      'add: out has shape (3,2) and dtype float32, the result has shape (2,3) and dtype float32');
    expect(() => nd.sum(a, { axis: 1, out: nd.zeros([3]) })).toThrow(/sum: out has shape \(3,\) .* the result has shape \(2,\)/);
  });

  test('a wrong dtype is a TypeError naming both dtypes', () => {
    expectError(() => nd.exp(a, { out: nd.zeros([2, 3], { dtype: 'float64' }) }), TypeError,
      'exp: out has shape (2,3) and dtype float64, the result has shape (2,3) and dtype float32');
  });

  test('not an NDArray, disposed, or an op with several results', () => {
    const gone = nd.zeros([2, 3]);
    gone.dispose();
    expect(() => nd.add(a, b, { out: gone })).toThrow(/disposed/);
    expect(() => nd.add(a, b, { out: 5 as unknown as NDArray })).toThrow(/add: out must be an NDArray, got number/);
    expect(() => a.split(3, { out: nd.zeros([2, 1]) } as never)).toThrow(
      /split: out has 1 array, and this op has 3 results \(pass a list of 3 arrays\)/,
    );
  });

  test('a failed call leaves out unchanged', () => {
    const c = nd.full([2, 3], 7);
    expect(() => nd.add(a, nd.zeros([4]), { out: c })).toThrow(/add/);
    expect(c.toArray()).toEqual([[7, 7, 7], [7, 7, 7]]);
  });
});

describe('versions and recording', () => {
  test('writing out bumps its version: a graph that saved it refuses to backward', () => {
    const c = nd.array([1, 2, 3]);
    c.attachGrad();
    let y!: NDArray;
    autograd.record(() => {
      y = c.log().sum();
    });
    nd.add(a.at(0), b.at(0), { out: c });
    expect(() => y.backward()).toThrow(/modified in place/);
  });

  test('under record(), an out that is in the graph is refused', () => {
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    autograd.record(() => {
      const h = x.mul(2);
      expect(() => nd.exp(x, { out: x })).toThrow(/exp: out is an array of the graph being recorded/);
      expect(() => nd.add(h, 1, { out: h })).toThrow(/add_scalar: out is an array of the graph being recorded/);
    });
  });

  test('under record(), a fresh out is recorded as the result', () => {
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    const y = nd.zeros([3]);
    autograd.record(() => {
      nd.multiply(x, x, { out: y });
    });
    y.backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
  });
});

describe('out= on ops with several results: a list, one array per result', () => {
  const sym = nd.array([[4, 1], [1, 3]]);

  test('each op writes its results into the list, returns those arrays and allocates no result block', () => {
    // Each: the call without out, then with out, whose arrays must come back holding the same,
    // allocating all the call without out does but its result blocks (moments has a scratch one).
    const cases: [string, (o?: { out: NDArray[] }) => NDArray[], number[][]][] = [
      ['topk both', (o) => nd.topk(a, { k: 2, retTyp: 'both', ...o }) as NDArray[], [[2, 2], [2, 2]]],
      ['moments', (o) => nd.moments(a, { axes: 1, ...o }), [[2], [2]]],
      ['split', (o) => nd.split(a, 3, { axis: 1, ...o }), [[2, 1], [2, 1], [2, 1]]],
      ['slogdet', (o) => nd.linalg.slogdet(sym, o), [[1], [1]]],
      ['gelqf', (o) => nd.linalg.gelqf(a, o), [[2, 3], [2, 2]]],
      ['syevd', (o) => nd.linalg.syevd(sym, o), [[2, 2], [2]]],
    ];
    for (const [name, call, shapes] of cases) {
      let expected!: unknown[];
      const without = allocatedBy(() => (expected = call().map((x) => x.toArray())));
      const out = shapes.map((s) => nd.zeros(s));
      let r!: NDArray[];
      expect([name, allocatedBy(() => (r = call({ out })))]).toEqual([name, without - out.length]);
      expect(r.length).toBe(out.length);
      r.forEach((x, i) => expect(x).toBe(out[i]));
      expect([name, out.map((x) => x.toArray())]).toEqual([name, expected]);
    }
  });

  test('an out that is also an input: the results are computed aside, then copied', () => {
    const m = sym.copy();
    const values = nd.zeros([2]);
    const [u, l] = nd.linalg.syevd(sym);
    nd.linalg.syevd(m, { out: [m, values] });
    expect(m.toArray()).toEqual(u.toArray());
    expect(values.toArray()).toEqual(l.toArray());
  });

  test('a single-result op takes a list of one (MXNet does) and returns its array', () => {
    const c = nd.zeros([2, 3]);
    expect(nd.add(a, b, { out: [c] } as never)).toBe(c);
    expect(c.toArray()).toEqual([[11, 22, 33], [44, 55, 66]]);
  });

  test('the wrong number of arrays is a TypeError saying how many the op has', () => {
    expectError(() => nd.moments(a, { out: [nd.zeros([1])] }), TypeError,
      'moments: out has 1 array, and this op has 2 results (pass a list of 2 arrays)');
    expectError(() => nd.linalg.slogdet(sym, { out: [nd.zeros([1]), nd.zeros([1]), nd.zeros([1])] }), TypeError,
      'linalg_slogdet: out has 3 arrays, and this op has 2 results');
    expectError(() => nd.add(a, b, { out: [nd.zeros([2, 3]), nd.zeros([2, 3])] } as never), TypeError,
      'add: out has 2 arrays, and this op has 1 results');
    expectError(() => nd.moments(a, { out: [] }), TypeError, 'moments: out is an empty list; pass one NDArray per result');
  });

  test('each array is checked: shape (RangeError), dtype (TypeError), type, disposed, shared memory', () => {
    const v = nd.zeros([2, 2]);
    expectError(() => nd.topk(a, { k: 2, retTyp: 'both', out: [v, nd.zeros([2, 3])] }), RangeError,
      'topk: out[1] has shape (2,3) and dtype float32, the result has shape (2,2) and dtype float32');
    expectError(() => nd.topk(a, { k: 2, retTyp: 'both', out: [v, nd.zeros([2, 2], { dtype: 'int32' })] }), TypeError,
      'topk: out[1] has shape (2,2) and dtype int32, the result has shape (2,2) and dtype float32');
    expectError(() => nd.moments(a, { out: [nd.zeros([1]), 3 as unknown as NDArray] }), TypeError,
      'moments: out[1] must be an NDArray, got number');
    const gone = nd.zeros([2]);
    gone.dispose();
    expectError(() => nd.moments(a, { axes: 1, out: [nd.zeros([2]), gone] }), Error, 'moments: out[1] is an NDArray that was disposed');
    const m = nd.zeros([2]);
    expectError(() => nd.moments(a, { axes: 1, out: [m, m] }), RangeError, 'moments: out[0] and out[1] share memory; pass separate arrays');
  });

  test('a failed call leaves every out unchanged', () => {
    const mean = nd.full([2], 7);
    const variance = nd.full([3], 7);
    expect(() => nd.moments(a, { axes: 1, out: [mean, variance] })).toThrow(/moments: out\[1\]/);
    expect(mean.toArray()).toEqual([7, 7]);
    expect(variance.toArray()).toEqual([7, 7, 7]);
  });

  test('writing bumps every out: a graph that saved one refuses to backward', () => {
    const c = nd.array([1, 2]);
    c.attachGrad();
    let y!: NDArray;
    autograd.record(() => {
      y = c.log().sum();
    });
    nd.moments(a, { axes: 1, out: [nd.zeros([2]), c] });
    expect(() => y.backward()).toThrow(/modified in place/);
  });

  test('under record(), an out in the graph is refused; fresh outs are recorded as the results', () => {
    const x = nd.array([[1, 2, 4], [3, 5, 9]]);
    x.attachGrad();
    const mean = nd.zeros([2]);
    const variance = nd.zeros([2]);
    let loss!: NDArray;
    autograd.record(() => {
      const h = x.mul(1);
      expect(() => nd.moments(x, { axes: 1, out: [mean, h.sum({ axis: 1 })] })).toThrow(
        /moments: out\[1\] is an array of the graph being recorded/,
      );
      nd.moments(x, { axes: 1, out: [mean, variance] });
      loss = nd.add(mean.sum(), variance.sum());
    });
    loss.backward();
    const withOut = x.grad!.toArray();
    autograd.record(() => {
      const [m, v] = nd.moments(x, { axes: 1 });
      loss = nd.add(m.sum(), v.sum());
    });
    loss.backward();
    expect(withOut).toEqual(x.grad!.toArray());
  });
});
