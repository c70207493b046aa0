// Files: nd.save / nd.load in MXNet's binary NDArray list format (the `.params` files of
// mx.nd.save, MXNET.md section 5) and nd.saveNpy / nd.loadNpy in NumPy's `.npy` format. Headers
// are written field by field here and parsed by native/core/io/file_formats.cc (untrusted bytes, fuzzed
// with libFuzzer); array data moves as one block of bytes.
import * as fs from 'fs';
import * as os from 'os';
import { type DType, dtypeCode, dtypeName } from '../core/dtype';
import { describe, requireArray } from '../core/dispatch';
import { NDArray } from '../ndarray';
import { native } from '../core/native';

const LIST_MAGIC = 0x112;
const V2_MAGIC = 0xf993fac9;
const CPU_DEV_TYPE = 1;

/** MXNet's type flags (mshadow TypeFlag) for the dtypes ndgrad has. */
const TYPE_FLAG: Record<DType, number> = { float32: 0, float64: 1, uint8: 3, int32: 4 };
const ITEM_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1 };
const TYPED = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array };
const LITTLE_ENDIAN = os.endianness() === 'LE';

/** The array's values as little-endian bytes, C order. */
function dataBytes(x: NDArray): Buffer {
  const t = x.toTypedArray();
  const bytes = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
  return LITTLE_ENDIAN ? bytes : swapped(bytes, ITEM_BYTES[x.dtype]);
}

/** A copy of bytes with every item of itemSize bytes reversed (endianness swap). */
function swapped(bytes: Buffer, itemSize: number): Buffer {
  const copy = Buffer.from(bytes);
  if (itemSize === 2) copy.swap16();
  else if (itemSize === 4) copy.swap32();
  else if (itemSize === 8) copy.swap64();
  return copy;
}

/** An NDArray holding the given bytes (C order, in the byte order named by littleEndian). */
function fromBytes(bytes: Buffer, dtype: DType, shape: number[], littleEndian: boolean, fn: string): NDArray {
  const ordered = littleEndian === LITTLE_ENDIAN ? bytes : swapped(bytes, ITEM_BYTES[dtype]);
  // ArrayBuffer.slice copies to offset 0, so the typed array is aligned whatever the file offset.
  const buffer = ordered.buffer.slice(ordered.byteOffset, ordered.byteOffset + ordered.byteLength) as ArrayBuffer;
  const typed = new TYPED[dtype](buffer);
  return new NDArray(native.fromTyped(typed, shape, dtypeCode(dtype, fn)));
}

function checkPath(file: unknown, fn: string): asserts file is string {
  if (typeof file !== 'string') throw new TypeError(`${fn}: path must be a string, got ${describe(file)}`);
}

/** fs errors (ENOENT, EACCES, ENOSPC, ...) rethrown naming the function and the path, code kept. */
function fileError(err: unknown, fn: string, verb: string, file: string): Error {
  const e = err as NodeJS.ErrnoException;
  const out = new Error(`${fn}: cannot ${verb} ${file}: ${e?.message ?? String(err)}`) as NodeJS.ErrnoException;
  if (e?.code !== undefined) out.code = e.code;
  return out;
}

function readFile(file: string, fn: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw fileError(err, fn, 'read', file);
  }
}

/** Writes the parts one after another (no concatenated copy of all the data). */
function writeFile(file: string, parts: Buffer[], fn: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'w');
    for (const part of parts) {
      for (let done = 0; done < part.length; ) done += fs.writeSync(fd, part, done, part.length - done);
    }
  } catch (err) {
    throw fileError(err, fn, 'write', file);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

// ---- MXNet NDArray files ---------------------------------------------------------------------------

/**
 * Writes arrays in MXNet's NDArray file format (mx.nd.save): a list, or a Record of named arrays
 * (names kept in insertion order); one NDArray is saved as a list of one. MXNet's nd.load reads it.
 */
export function save(file: string, data: NDArray | NDArray[] | Record<string, NDArray>): void {
  checkPath(file, 'save');
  let arrays: NDArray[];
  let names: string[] = [];
  if (data instanceof NDArray) arrays = [data];
  else if (Array.isArray(data)) arrays = data;
  else if (data !== null && typeof data === 'object' && Object.getPrototypeOf(data) === Object.prototype) {
    names = Object.keys(data);
    arrays = Object.values(data);
  } else {
    throw new TypeError(`save: data must be an NDArray, a list of NDArrays or a Record of string -> NDArray, got ${describe(data)}`);
  }
  arrays.forEach((x, i) => requireArray(x, 'save', names.length ? `data['${names[i]}']` : `data[${i}]`));

  const parts: Buffer[] = [];
  const u64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    parts.push(b);
  };
  const i32s = (...vs: number[]) => {
    const b = Buffer.alloc(4 * vs.length);
    vs.forEach((v, i) => b.writeInt32LE(v, 4 * i));
    parts.push(b);
  };
  u64(LIST_MAGIC);
  u64(0);
  u64(arrays.length);
  for (const x of arrays) {
    const magic = Buffer.alloc(4);
    magic.writeUInt32LE(V2_MAGIC);
    parts.push(magic);
    const shape = x.shape;
    i32s(0, shape.length); // stype dense, ndim
    shape.forEach(u64);
    i32s(CPU_DEV_TYPE, 0, TYPE_FLAG[x.dtype]);
    parts.push(dataBytes(x));
  }
  u64(names.length);
  for (const name of names) {
    const bytes = Buffer.from(name, 'utf8');
    u64(bytes.length);
    parts.push(bytes);
  }
  writeFile(file, parts, 'save');
}

/**
 * Reads a file in MXNet's NDArray format (written by mx.nd.save or nd.save): a list of arrays, or
 * a Record when the file has names. Arrays always load to the CPU, whatever device saved them.
 */
export function load(file: string): NDArray[] | Record<string, NDArray> {
  checkPath(file, 'load');
  return parseNDArrayFile(readFile(file, 'load'), file);
}

/** @internal load() on bytes already read (file names the source in errors); the parser fuzz target calls it. */
export function parseNDArrayFile(bytes: Buffer, file: string): NDArray[] | Record<string, NDArray> {
  const layout = native.parseFile(bytes, 'params', file);
  const arrays = layout.arrays.map((a) => fromBytes(bytes.subarray(a.offset, a.offset + a.bytes), dtypeName(a.dtype), a.shape, true, 'load'));
  if (layout.names.length === 0) return arrays;
  return Object.fromEntries(layout.names.map((name, i) => [name, arrays[i]]));
}

/** nd.load of a file of unnamed arrays (`nd.save(file, [a, b])`), typed as the list it returns. */
export function loadList(file: string): NDArray[] {
  const loaded = load(file);
  if (!Array.isArray(loaded)) {
    throw new TypeError(`loadList: ${file} holds named arrays (${Object.keys(loaded).slice(0, 3).join(', ')}...); use nd.loadDict`);
  }
  return loaded;
}

/** nd.load of a file of named arrays (`nd.save(file, { w, b })`, Gluon parameters), typed as the record. */
export function loadDict(file: string): Record<string, NDArray> {
  const loaded = load(file);
  if (!Array.isArray(loaded)) return loaded;
  if (loaded.length === 0) return {};
  throw new TypeError(`loadDict: ${file} holds ${loaded.length} unnamed arrays; use nd.loadList`);
}

// ---- NumPy .npy -------------------------------------------------------------------------------------

const NPY_MAGIC = Buffer.from('\x93NUMPY', 'latin1');
const NPY_DESCR: Record<DType, string> = { float32: '<f4', float64: '<f8', int32: '<i4', uint8: '|u1' };

/** Writes x as a NumPy .npy file (format 1.0; 2.0 for a header over 64 KiB), readable by numpy.load. */
export function saveNpy(file: string, x: NDArray): void {
  checkPath(file, 'saveNpy');
  requireArray(x, 'saveNpy', 'x');
  const dims = x.shape;
  const shape = `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
  const dict = `{'descr': '${NPY_DESCR[x.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const wide = dict.length + 11 >= 65536;
  const prefix = 8 + (wide ? 4 : 2);
  // NumPy pads the header with spaces and a newline so that the data starts on a 64-byte boundary.
  const padded = dict + ' '.repeat(63 - ((prefix + dict.length) % 64)) + '\n';
  const head = Buffer.alloc(prefix);
  NPY_MAGIC.copy(head);
  head[6] = wide ? 2 : 1;
  head[7] = 0;
  if (wide) head.writeUInt32LE(padded.length, 8);
  else head.writeUInt16LE(padded.length, 8);
  writeFile(file, [head, Buffer.from(padded, 'latin1'), dataBytes(x)], 'saveNpy');
}

/**
 * Reads a NumPy .npy file (format 1.0 to 3.0) with dtype float32, float64, int32, uint8 or bool
 * (loaded as uint8), in either byte order and C or Fortran order. A 0-d array loads with shape [1].
 */
export function loadNpy(file: string): NDArray {
  checkPath(file, 'loadNpy');
  return parseNpy(readFile(file, 'loadNpy'), file);
}

/** @internal loadNpy() on bytes already read (file names the source in errors); the parser fuzz target calls it. */
export function parseNpy(bytes: Buffer, file: string): NDArray {
  const l = native.parseFile(bytes, 'npy', file);
  const data = bytes.subarray(l.offset, l.offset + l.bytes);
  const dtype = dtypeName(l.dtype);
  if (!l.fortran || l.shape.length < 2) return asBoolean(fromBytes(data, dtype, l.shape, l.littleEndian, 'loadNpy'), l.boolean);
  // Fortran (column-major) data is the C-order data of the reversed shape, transposed.
  const reversed = fromBytes(data, dtype, l.shape.slice().reverse(), l.littleEndian, 'loadNpy');
  const out = reversed.transpose();
  reversed.dispose();
  return asBoolean(out, l.boolean);
}

/** NumPy reads any non-zero bool byte as True, so bool data loads as exactly 0 and 1. */
function asBoolean(x: NDArray, boolean: boolean): NDArray {
  if (!boolean) return x;
  const out = x.notEqual(0);
  x.dispose();
  return out;
}
