// dtype names and the codes the addon uses.

export type DType = 'float32' | 'float64' | 'int32' | 'uint8';

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'uint8'];

/** A short spelling of any value for an error message (JSON.stringify throws on a BigInt). */
export function quote(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return typeof v;
  }
}

export function dtypeCode(dtype: unknown, fn: string): number {
  const i = DTYPES.indexOf(dtype as DType);
  if (i < 0) {
    throw new TypeError(`${fn}: dtype must be one of ${DTYPES.join(', ')}, got ${quote(dtype)}`);
  }
  return i;
}

export function dtypeName(code: number): DType {
  return DTYPES[code];
}

export function typedArrayDType(data: ArrayBufferView): DType | null {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  return null;
}

export type TypedArrayOf<D extends DType> = D extends 'float64'
  ? Float64Array
  : D extends 'int32'
    ? Int32Array
    : D extends 'uint8'
      ? Uint8Array
      : Float32Array;

/** The typed arrays an NDArray's data reads into: one per dtype. */
export type AnyTypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
