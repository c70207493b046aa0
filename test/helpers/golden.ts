// Loader and comparison helpers for the NumPy golden fixtures (test/fixtures/ops/*.json, written by
// test/fixtures/ops/gen_op_fixtures.py; the file format is described at the top of that script).
import * as fs from 'fs';
import * as path from 'path';
import { nd, NDArray } from '../../lib';
import type { DType } from '../../lib';

export type GNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface GArray {
  dtype: DType;
  shape: number[];
  data: GNumber[];
  /** 'float64': the values are an unrounded float64 reference for a float32 result */
  ref?: 'float64';
}

export interface GCase {
  id: string;
  /** the registry op (native/core/ops/op_list.h) this case exercises */
  op: string;
  call: string;
  args: Record<string, any>;
  inputs: GArray[];
  expected: GArray;
  /** multi-output ops (split, topk 'both'): every output; `expected` is then the first */
  outputs?: GArray[];
  tol?: { rtol: number; atol: number };
  /** 'large' cases: the flat indices of the output stored in expected.data */
  indices?: number[];
  /** 'large' cases: float64 sum of the whole expected output */
  checksum?: number;
}

export interface GFixture {
  generator: string;
  numpy: string;
  cases: GCase[];
}

export const FIXTURE_DIR = path.join(__dirname, '..', 'fixtures', 'ops');

export function loadFixture(name: string): GCase[] {
  const text = fs.readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8');
  return (JSON.parse(text) as GFixture).cases;
}

export function decode(v: GNumber): number {
  return typeof v === 'number' ? v : Number(v);
}

/** The values of a fixture array; float32 data (not a float64 reference) is rounded to float32. */
export function values(g: GArray): number[] {
  const v = g.data.map(decode);
  return g.dtype === 'float32' && g.ref !== 'float64' ? v.map(Math.fround) : v;
}

const TYPED = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
} as const;

/** The typed array of `dtype` holding `values` (float32 values are stored exactly in the JSON). */
export function typed(dtype: DType, values: number[]): Float32Array | Float64Array | Int32Array | Uint8Array {
  const T = TYPED[dtype];
  const out = new T(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/** A fresh NDArray with the fixture's values, shape and dtype (through the public API). */
export function toNDArray(g: GArray): NDArray {
  const size = g.shape.reduce((a, b) => a * b, 1);
  if (size === 0) return nd.zeros(g.shape, { dtype: g.dtype });
  const v = values(g);
  if (v.length !== size) throw new Error(`fixture array has ${v.length} values for shape [${g.shape}]`);
  const flat = nd.array(typed(g.dtype, v), { dtype: g.dtype });
  // reshape is a view; copy() gives an independent array with its own storage
  return g.shape.length === 1 ? flat : flat.reshape(g.shape).copy();
}

// ---- tolerances ---------------------------------------------------------------------------

export type Tolerance =
  | { kind: 'exact' }
  | { kind: 'ulp'; ulps: number }
  | { kind: 'close'; rtol: number; atol: number };

const f64buf = new DataView(new ArrayBuffer(8));

/** Exponent of |v| as frexp would give minus one (v = m * 2^e with 1 <= m < 2); v finite, != 0. */
function exponentOf(v: number): number {
  f64buf.setFloat64(0, v);
  const e = ((f64buf.getUint32(0) >>> 20) & 0x7ff) - 1023;
  if (e === -1023) return Math.floor(Math.log2(Math.abs(v))); // float64 subnormal
  return e;
}

/** One unit in the last place of `dtype` at the magnitude of v. */
export function ulpOf(v: number, dtype: DType): number {
  const [mant, minExp] = dtype === 'float32' ? [23, -126] : [52, -1022];
  if (v === 0 || !Number.isFinite(v)) return 2 ** (minExp - mant);
  return 2 ** (Math.max(exponentOf(v), minExp) - mant);
}

function fmt(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * Element check. Returns an error measure: <= 1 passes (for 'ulp' the measure is errUlps/ulps,
 * for 'close' err/(atol + rtol |want|)); NaN must meet NaN and infinities must match exactly.
 */
function elementError(got: number, want: number, dtype: DType, tol: Tolerance): number {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  if (tol.kind === 'exact') {
    return got === want ? 0 : Infinity; // -0 === +0
  }
  let w = want;
  if (dtype === 'float32') {
    // a float64 reference beyond float32's range must come out as the same infinity
    const r = Math.fround(want);
    if (!Number.isFinite(r)) w = r;
  }
  if (!Number.isFinite(w) || !Number.isFinite(got)) return got === w ? 0 : Infinity;
  const err = Math.abs(got - w);
  if (err === 0) return 0;
  if (tol.kind === 'ulp') return err / ulpOf(w, dtype) / tol.ulps;
  const bound = tol.atol + tol.rtol * Math.abs(w);
  return bound === 0 ? Infinity : err / bound;
}

function indexText(flat: number, shape: number[]): string {
  const idx: number[] = [];
  let rem = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] || 1;
    idx.unshift(rem % n);
    rem = Math.floor(rem / n);
  }
  return `[${idx.join(',')}]`;
}

/**
 * Compares values `got` (flat) with `want` in `dtype` under `tol`. Throws an Error naming the
 * label, the number of mismatches, and the worst element (index, got, expected).
 */
export function compareValues(
  got: ArrayLike<number>,
  want: number[],
  dtype: DType,
  tol: Tolerance,
  label: string,
  shape: number[] = [want.length],
  indices?: number[],
): void {
  if (got.length !== want.length) {
    throw new Error(`${label}: ${got.length} values, expected ${want.length}`);
  }
  let worst = -1;
  let worstErr = 0;
  let bad = 0;
  for (let i = 0; i < want.length; i++) {
    const e = elementError(got[i], want[i], dtype, tol);
    if (e > 1) bad++;
    if (e > worstErr) {
      worstErr = e;
      worst = i;
    }
  }
  if (bad > 0) {
    const where = indices ? `flat index ${indices[worst]}` : `index ${indexText(worst, shape)}`;
    const tolText =
      tol.kind === 'exact' ? 'exact' : tol.kind === 'ulp' ? `${tol.ulps} ulp` : `rtol ${tol.rtol} atol ${tol.atol}`;
    throw new Error(
      `${label}: ${bad} of ${want.length} elements differ (${tolText}, ${dtype}); worst at ${where}: ` +
        `got ${fmt(got[worst])}, expected ${fmt(want[worst])}` +
        (Number.isFinite(worstErr) ? ` (${worstErr.toPrecision(3)} x tolerance)` : ''),
    );
  }
}

/** Checks dtype, shape and values of an NDArray result against a fixture array. */
/** Checks a multi-output result: an Array of NDArrays, one per expected output. */
export function expectGoldenList(got: unknown, want: GArray[], tol: (w: GArray) => Tolerance, label: string): void {
  if (!Array.isArray(got)) throw new Error(`${label}: expected an Array of ${want.length} NDArrays, got ${typeof got}`);
  if (got.length !== want.length) throw new Error(`${label}: ${got.length} outputs, expected ${want.length}`);
  want.forEach((w, i) => expectGolden(got[i], w, tol(w), `${label}: output ${i}`));
}

export function expectGolden(got: unknown, want: GArray, tol: Tolerance, label: string): void {
  if (!(got instanceof NDArray)) throw new Error(`${label}: expected an NDArray, got ${typeof got}`);
  if (got.dtype !== want.dtype) throw new Error(`${label}: dtype ${got.dtype}, expected ${want.dtype}`);
  const shape = got.shape;
  if (shape.length !== want.shape.length || shape.some((d, i) => d !== want.shape[i])) {
    throw new Error(`${label}: shape [${shape}], expected [${want.shape}]`);
  }
  compareValues(got.toTypedArray(), values(want), want.dtype, tol, label, want.shape);
}
