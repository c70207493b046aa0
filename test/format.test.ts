import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { _setDigitPath, formatArrayBody, formatNDArray, type DigitPath, type DTypeName } from '../lib/io/format';

// Fixtures come from NumPy itself: test/fixtures/print/gen_print_fixtures.py (see docs/printing.md).

type Encoded = number | 'nan' | 'inf' | '-inf';

interface Recipe {
  kind: 'arange' | 'lcg';
  n: number;
  start?: number;
  divisor?: number;
  scale?: number;
  seed?: number;
  offset?: number;
  set?: [number, Encoded][];
}

interface PrintCase {
  name: string;
  dtype: DTypeName;
  shape: number[];
  data?: Encoded[];
  recipe?: Recipe;
  expected: string;
}

const cases: PrintCase[] = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'print', 'print_cases.json'), 'utf8'),
) as PrintCase[];

function decode(v: Encoded): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

const isInteger = (dtype: DTypeName): boolean => dtype === 'int32' || dtype === 'uint8';

/** Twin of expand() in gen_print_fixtures.py. */
function expand(r: Recipe, dtype: DTypeName): number[] {
  const out: number[] = [];
  if (r.kind === 'arange') {
    for (let i = 0; i < r.n; i++) {
      let v = r.start! + i;
      if (r.divisor !== undefined) v = v / r.divisor;
      if (r.scale !== undefined) v = v * r.scale;
      out.push(v);
    }
  } else {
    let x = r.seed!;
    for (let i = 0; i < r.n; i++) {
      x = (Math.imul(1664525, x) + 1013904223) >>> 0;
      const v = (x / 2 ** 32 + r.offset!) * r.scale!;
      out.push(isInteger(dtype) ? Math.floor(v) : v);
    }
  }
  for (const [index, v] of r.set ?? []) out[index] = decode(v);
  return out;
}

function typedData(c: PrintCase): ArrayLike<number> {
  const values = c.recipe ? expand(c.recipe, c.dtype) : c.data!.map(decode);
  switch (c.dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'uint8':
      return Uint8Array.from(values);
  }
}

describe('formatArrayBody matches NumPy str()', () => {
  it('has a substantial fixture set', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(formatArrayBody(typedData(c), c.shape, c.dtype)).toBe(c.expected);
  });

  it.each<DigitPath>(['dragon4', 'native', 'bigint'])('prints every fixture the same with digit path %s', (path) => {
    _setDigitPath(path);
    try {
      const wrong = cases.filter((c) => formatArrayBody(typedData(c), c.shape, c.dtype) !== c.expected);
      expect(wrong.map((c) => c.name)).toEqual([]);
    } finally {
      _setDigitPath('auto');
    }
  });

  it('accepts plain number arrays for float32 (values are rounded to float32)', () => {
    expect(formatArrayBody([1 / 3, 2 / 3], [2], 'float32')).toBe('[0.33333334 0.6666667 ]');
    expect(formatArrayBody([1 / 3, 2 / 3], [2], 'float64')).toBe('[0.33333333 0.66666667]');
  });

  it('rejects data shorter than the shape', () => {
    expect(() => formatArrayBody(new Float32Array(3), [2, 2], 'float32')).toThrow(RangeError);
  });

  it('prints 1000 elements in full, each value once (its speed is a benchmark, not a test)', () => {
    const arrays: [ArrayLike<number>, DTypeName, number][] = [
      [Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 123.456), 'float32', 1e-6],
      [Float64Array.from({ length: 1000 }, (_, i) => Math.exp(Math.sin(i) * 20)), 'float64', 1e-7],
      [Int32Array.from({ length: 1000 }, (_, i) => i * 7919 - 3_000_000), 'int32', 0],
    ];
    for (const [data, dtype, rel] of arrays) {
      const text = formatArrayBody(data, [1000], dtype);
      expect(text).not.toContain('...'); // NumPy summarises only above 1000 elements
      const values = text.replace(/[[\]]/g, ' ').trim().split(/\s+/).map(Number);
      expect(values).toHaveLength(1000);
      values.forEach((v, i) => expect(Math.abs(v - data[i])).toBeLessThanOrEqual(rel * Math.abs(data[i])));
    }
  });
});

describe('formatNDArray (MXNet __repr__, MXNET.md section 3)', () => {
  const f32 = (values: number[]) => Float32Array.from(values);
  const arange = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

  it.each<[string, ArrayLike<number>, number[], DTypeName, string]>([
    ['2x2', f32([1, 2, 3, 4]), [2, 2], 'float32', '\n[[1. 2.]\n [3. 4.]]\n<NDArray 2x2 @cpu(0)>'],
    ['sum result', f32([3]), [1], 'float32', '\n[3.]\n<NDArray 1 @cpu(0)>'],
    ['mixed sign', f32([1, 2.5, -3]), [3], 'float32', '\n[ 1.   2.5 -3. ]\n<NDArray 3 @cpu(0)>'],
    ['thirds', f32([1 / 3, 2 / 3]), [2], 'float32', '\n[0.33333334 0.6666667 ]\n<NDArray 2 @cpu(0)>'],
    ['tenths', f32([0.1, 0.2]), [2], 'float32', '\n[0.1 0.2]\n<NDArray 2 @cpu(0)>'],
    ['exp small', f32([1e-5, 1]), [2], 'float32', '\n[1.e-05 1.e+00]\n<NDArray 2 @cpu(0)>'],
    ['exp ratio', f32([1, 1001]), [2], 'float32', '\n[1.000e+00 1.001e+03]\n<NDArray 2 @cpu(0)>'],
    [
      'zeros 2x2x3',
      new Float32Array(12),
      [2, 2, 3],
      'float32',
      '\n[[[0. 0. 0.]\n  [0. 0. 0.]]\n\n [[0. 0. 0.]\n  [0. 0. 0.]]]\n<NDArray 2x2x3 @cpu(0)>',
    ],
    ['int32', Int32Array.from([1, 22, -3]), [3], 'int32', '\n[ 1 22 -3]\n<NDArray 3 @cpu(0)>'],
    ['nan inf', f32([NaN, 1, Infinity, -Infinity]), [4], 'float32', '\n[ nan   1.  inf -inf]\n<NDArray 4 @cpu(0)>'],
    [
      'arange(1001)',
      arange(1001),
      [1001],
      'float32',
      '\n[   0.    1.    2. ...  998.  999. 1000.]\n<NDArray 1001 @cpu(0)>',
    ],
    ['0-d float64', Float64Array.from([1]), [], 'float64', '\n1.0\n<NDArray  @cpu(0)>'],
    ['empty', new Float32Array(0), [0], 'float32', '\n[]\n<NDArray 0 @cpu(0)>'],
    ['empty 2x0', new Float32Array(0), [2, 0], 'float32', '\n[]\n<NDArray 2x0 @cpu(0)>'],
    ['grad result', f32([Math.E + 1]), [1], 'float32', '\n[3.7182817]\n<NDArray 1 @cpu(0)>'],
  ])('%s', (_name, data, shape, dtype, expected) => {
    expect(formatNDArray(data, shape, dtype)).toBe(expected);
  });

  it('arange(2000).reshape(40, 50): summarised rows and columns', () => {
    const row = (r: number) => {
      const e = (i: number) => (r * 50 + i).toExponential(3).replace(/e([+-])(\d)$/, 'e$10$2');
      return `[${e(0)} ${e(1)} ${e(2)} ... ${e(47)} ${e(48)} ${e(49)}]`;
    };
    const body = `[${row(0)}\n ${row(1)}\n ${row(2)}\n ...\n ${row(37)}\n ${row(38)}\n ${row(39)}]`;
    expect(formatNDArray(arange(2000), [40, 50], 'float32')).toBe(`\n${body}\n<NDArray 40x50 @cpu(0)>`);
    expect(body.startsWith('[[0.000e+00 1.000e+00 2.000e+00 ... 4.700e+01 4.800e+01 4.900e+01]\n [5.000e+01')).toBe(
      true,
    );
    expect(body.endsWith(' [1.950e+03 1.951e+03 1.952e+03 ... 1.997e+03 1.998e+03 1.999e+03]]')).toBe(true);
  });

  it('arange(30)/7: wraps at 75 columns', () => {
    const data = Float32Array.from({ length: 30 }, (_, i) => i / 7);
    const out = formatNDArray(data, [30], 'float32');
    expect(
      out.startsWith('\n[0.         0.14285715 0.2857143  0.42857143 0.5714286  0.71428573\n 0.85714287 1.         1.1428572  '),
    ).toBe(true);
    expect(out.endsWith('\n 3.4285715  3.5714285  3.7142856  3.857143   4.         4.142857  ]\n<NDArray 30 @cpu(0)>')).toBe(
      true,
    );
  });

  it('uses the given context', () => {
    expect(formatNDArray(Float32Array.from([1]), [1], 'float32', 'gpu(1)')).toBe('\n[1.]\n<NDArray 1 @gpu(1)>');
  });
});
