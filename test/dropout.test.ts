// dropout: identity unless autograd.isTraining(); when training, keeps each element with
// probability 1 - p, scales kept ones by 1 / (1 - p), draws from the seeded stream, and its
// gradient is the same scaled mask.
import mx, { autograd, nd } from '../lib';

test('identity when not training, MXNet alias included', () => {
  const x = nd.array([1, -2, 3]);
  expect(Array.from(nd.dropout(x, { p: 0.9 }).toTypedArray())).toEqual([1, -2, 3]);
  expect(Array.from(nd.Dropout(x).toTypedArray())).toEqual([1, -2, 3]);
});

test('training: keep rate, scaling and seeding', () => {
  const x = nd.ones([100000]);
  mx.random.seed(3);
  const y = autograd.trainMode(() => nd.dropout(x, { p: 0.3 }));
  const v = Array.from(y.toTypedArray());
  const kept = v.filter((e) => e !== 0);
  expect(kept.length / v.length).toBeGreaterThan(0.69);
  expect(kept.length / v.length).toBeLessThan(0.71);
  kept.forEach((e) => expect(e).toBeCloseTo(1 / 0.7, 6));
  mx.random.seed(3);
  const again = autograd.trainMode(() => nd.dropout(x, { p: 0.3 }));
  expect(Array.from(again.toTypedArray())).toEqual(v);
});

test('record() trains by default, so dropout is active there, and its gradient is the mask', () => {
  const x = nd.ones([1000]);
  x.attachGrad();
  const y = autograd.record(() => nd.dropout(x, { p: 0.5 }));
  y.backward();
  expect(Array.from(x.grad!.toTypedArray())).toEqual(Array.from(y.toTypedArray()));
  expect(Array.from(y.toTypedArray()).some((e) => e === 0)).toBe(true);
  const z = autograd.record(() => nd.dropout(x, { p: 0.5 }), { trainMode: false });
  expect(Array.from(z.toTypedArray()).every((e) => e === 1)).toBe(true);
});

test('bad p values and integer inputs are rejected', () => {
  expect(() => nd.dropout(nd.ones([2]), { p: 1 })).toThrow(/dropout: p must be a number in \[0, 1\), got 1/);
  expect(() => nd.dropout(nd.ones([2]), { p: -0.1 })).toThrow(/dropout: p must be a number in \[0, 1\), got -0.1/);
  expect(() => nd.dropout(nd.ones([2], { dtype: 'int32' }))).toThrow(/dropout: input must be float32 or float64/);
});

test('random.randint: integers in [low, high), int32 by default, seeded', () => {
  mx.random.seed(9);
  const a = nd.random.randint({ low: -3, high: 4, shape: [20000] });
  expect(a.dtype).toBe('int32');
  const v = Array.from(a.toTypedArray());
  expect(Math.min(...v)).toBe(-3);
  expect(Math.max(...v)).toBe(3);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  expect(Math.abs(mean)).toBeLessThan(0.05);
  mx.random.seed(9);
  expect(Array.from(nd.random.randint(-3, 4, [20000]).toTypedArray())).toEqual(v);
  expect(nd.random.randint({ low: 0, high: 2, shape: 3, dtype: 'float32' }).dtype).toBe('float32');
  expect(() => nd.random.randint({ low: 2, high: 2 })).toThrow(/low < high/);
});
