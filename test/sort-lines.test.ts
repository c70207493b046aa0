// The vector sort (AVX-512 / AVX2 quicksort of keys, kernels/sort.inl; the radix sort on the
// scalar path) against the documented order computed in JS, on the inputs that break vector
// partitions and sorting networks: lengths at every vector, network and partition boundary, all
// equal values, few distinct values, sorted and reversed lines, NaN, infinities and -0 mixed in,
// both directions, along the last axis, along axis 0 (strided), and many lines at once.
import { nd } from '../lib';
import type { DType } from '../lib';
import { orderReference, showSigned } from './helpers/ordering';

const LENGTHS = [0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 4099, 100003];
const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -1e-40, 3.5, -3.5];

// A deterministic stream in [0, 1).
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

type Kind = 'random' | 'equal' | 'few' | 'sorted' | 'reversed' | 'specials';
const KINDS: Kind[] = ['random', 'equal', 'few', 'sorted', 'reversed', 'specials'];

function makeLine(kind: Kind, n: number, dtype: DType, rand: () => number): number[] {
  const float = dtype === 'float32' || dtype === 'float64';
  const scale = dtype === 'uint8' ? 255 : float ? 1e6 : 2e9;
  const shift = dtype === 'uint8' ? 0 : scale / 2;
  const num = (u: number) => (float ? u * scale - shift : Math.floor(u * scale - shift));
  return Array.from({ length: n }, (_, i) => {
    switch (kind) {
      case 'random': return num(rand());
      case 'equal': return float ? -2.5 : 7;
      case 'few': return Math.floor(rand() * 3);
      case 'sorted': return num(i / Math.max(n, 1));
      case 'reversed': return num((n - i) / Math.max(n, 1));
      case 'specials': {
        if (!float) return rand() < 0.5 ? num(0) : num(0.9999);
        return rand() < 0.3 ? SPECIALS[Math.floor(rand() * SPECIALS.length)] : num(rand());
      }
    }
  });
}

// Checks sort's values along the last axis of rows x n, row by row, against the reference.
function expectSorted(x: nd.NDArray, rows: number, n: number, isAscend: boolean, what: string) {
  const stored = Array.from(x.toTypedArray()).map(Number);
  const got = Array.from(nd.sort(x, { axis: -1, isAscend }).toTypedArray()).map(Number);
  for (let r = 0; r < rows; r++) {
    const line = stored.slice(r * n, (r + 1) * n);
    const want = orderReference(line, isAscend).map((i) => showSigned(line[i]));
    const have = got.slice(r * n, (r + 1) * n).map(showSigned);
    if (have.join() !== want.join()) expect(`${what} row ${r}: ${have}`).toBe(`${what} row ${r}: ${want}`);
  }
}

describe.each(['float32', 'int32', 'uint8', 'float64'] as DType[])('sort of one line (%s)', (dtype) => {
  test.each([true, false])('every length and input kind, isAscend %s', (isAscend) => {
    const rand = stream(dtype.length * 7 + (isAscend ? 1 : 2));
    for (const n of LENGTHS) {
      for (const kind of KINDS) {
        if (n > 5000 && kind !== 'random' && kind !== 'specials') continue;
        const x = nd.array(makeLine(kind, n, dtype, rand), { dtype });
        expectSorted(x, 1, n, isAscend, `n ${n} ${kind}`);
      }
    }
  });
});

describe.each(['float32', 'int32'] as DType[])('sort of many lines (%s)', (dtype) => {
  test.each([true, false])('lines of 1000 along the last axis and along axis 0, isAscend %s', (isAscend) => {
    const rand = stream(99);
    const rows = 64, n = 1000;
    const data = KINDS.flatMap((kind) => Array.from({ length: rows / 8 }, () => makeLine(kind, n, dtype, rand))).flat();
    const used = data.length / n;
    const x = nd.array(data, { dtype }).reshape([used, n]);
    expectSorted(x, used, n, isAscend, 'last axis');
    // Down axis 0 the lines are strided: sort the transpose and compare with the rows' order.
    const down = nd.sort(x.transpose(), { axis: 0, isAscend }).transpose();
    expect(Array.from(down.toTypedArray()).map(showSigned)).toEqual(
      Array.from(nd.sort(x, { axis: 1, isAscend }).toTypedArray()).map(showSigned),
    );
  });

  test('argsort and topk over the whole line agree with sort on the same lines', () => {
    const rand = stream(5);
    const n = 257;
    const line = makeLine('specials', n, dtype, rand);
    const x = nd.array(line, { dtype });
    const stored = Array.from(x.toTypedArray()).map(Number);
    for (const isAscend of [true, false]) {
      const idx = Array.from(nd.argsort(x, { isAscend, dtype: 'int32' }).toTypedArray());
      expect(idx).toEqual(orderReference(stored, isAscend));
      const vals = Array.from(nd.sort(x, { isAscend }).toTypedArray()).map(showSigned);
      expect(vals).toEqual(idx.map((i) => showSigned(stored[i])));
      const top = Array.from(nd.topk(x, { k: 0, retTyp: 'value', isAscend }).toTypedArray()).map(showSigned);
      expect(top).toEqual(vals);
    }
  });
});
