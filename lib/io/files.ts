// Files: nd.save / nd.load in MXNet's binary NDArray list format (the `.params` files of
// mx.nd.save, MXNET.md section 5) and nd.saveNpy / nd.loadNpy in NumPy's `.npy` format. Only the
// headers are read and written field by field; array data moves as one block of bytes.
import * as fs from 'fs';
import * as os from 'os';
import { type DType, dtypeCode } from '../core/dtype';
import { describe, requireArray, shapeText } from '../core/dispatch';
import { NDArray } from '../ndarray';
import { native } from '../core/native';

const LIST_MAGIC = 0x112n;
const V1_MAGIC = 0xf993fac8;
const V2_MAGIC = 0xf993fac9;
const V3_MAGIC = 0xf993faca;
const CPU_DEV_TYPE = 1;

/** MXNet's type flags (mshadow TypeFlag) for the dtypes ndgrad has, and the names of the others. */
const TYPE_FLAG: Record<DType, number> = { float32: 0, float64: 1, uint8: 3, int32: 4 };
const OTHER_FLAGS: Record<number, string> = { 2: 'float16', 5: 'int8', 6: 'int64', 7: 'bool', 12: 'bfloat16' };
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
  u64(Number(LIST_MAGIC));
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
  fs.writeFileSync(file, Buffer.concat(parts));
}

/** Reads little-endian fields from a file's bytes; a short read is MXNet's format error. */
class FieldReader {
  pos = 0;
  constructor(
    private readonly bytes: Buffer,
    private readonly file: string,
  ) {}

  fail(why: string): never {
    throw new Error(`load: Invalid NDArray file format: ${this.file}: ${why}`);
  }
  private need(n: number, what: string): number {
    if (this.pos + n > this.bytes.length) this.fail(`the file ends inside ${what} (byte ${this.pos} of ${this.bytes.length})`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u32(what: string): number {
    return this.bytes.readUInt32LE(this.need(4, what));
  }
  i32(what: string): number {
    return this.bytes.readInt32LE(this.need(4, what));
  }
  u64(what: string): number {
    const v = this.bytes.readBigUInt64LE(this.need(8, what));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} is ${v}`);
    return Number(v);
  }
  take(n: number, what: string): Buffer {
    const at = this.need(n, what);
    return this.bytes.subarray(at, at + n);
  }
}

function readRecord(r: FieldReader, index: number): NDArray {
  const what = `array ${index}`;
  const magic = r.u32(`the header of ${what}`);
  const shape: number[] = [];
  if (magic === V2_MAGIC || magic === V1_MAGIC) {
    if (magic === V2_MAGIC) {
      const stype = r.i32(`the storage type of ${what}`);
      if (stype !== 0) throw new TypeError(`load: ${what} is a sparse NDArray (storage type ${stype}); ndgrad reads dense arrays only`);
    }
    const ndim = r.i32(`the shape of ${what}`);
    if (ndim < 0 || ndim > 32) r.fail(`${what} has ${ndim} dimensions`);
    for (let d = 0; d < ndim; d++) shape.push(r.u64(`the shape of ${what}`));
  } else if (magic === V3_MAGIC) {
    throw new Error(
      `load: ${what} was saved in np shape semantics, must be loaded in the same semantics; ` +
        'ndgrad reads files written with the legacy mx.nd arrays',
    );
  } else {
    // Legacy v0 record: the first field is ndim, then uint32 dims.
    if (magic > 32) r.fail(`${what} starts with an unknown magic number 0x${magic.toString(16)}`);
    for (let d = 0; d < magic; d++) shape.push(r.u32(`the shape of ${what}`));
  }
  if (shape.length === 0) {
    throw new TypeError(`load: ${what} is an empty (none) NDArray, which ndgrad cannot represent`);
  }
  r.i32(`the device type of ${what}`);
  r.i32(`the device id of ${what}`);
  const flag = r.i32(`the dtype of ${what}`);
  const dtype = (Object.keys(TYPE_FLAG) as DType[]).find((d) => TYPE_FLAG[d] === flag);
  if (dtype === undefined) {
    const name = OTHER_FLAGS[flag] ?? `type flag ${flag}`;
    throw new TypeError(`load: ${what} has dtype ${name}; ndgrad supports float32, float64, int32 and uint8`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  return fromBytes(r.take(size * ITEM_BYTES[dtype], `the data of ${what}`), dtype, shape, true, 'load');
}

/**
 * Reads a file in MXNet's NDArray format (written by mx.nd.save or nd.save): a list of arrays, or
 * a Record when the file has names. Arrays always load to the CPU, whatever device saved them.
 */
export function load(file: string): NDArray[] | Record<string, NDArray> {
  checkPath(file, 'load');
  const r = new FieldReader(fs.readFileSync(file), file);
  const header = r.take(8, 'the file header').readBigUInt64LE();
  if (header !== LIST_MAGIC) r.fail(`the header is 0x${header.toString(16)}, not 0x112`);
  r.u64('the file header');
  const count = r.u64('the number of arrays');
  const arrays: NDArray[] = [];
  for (let i = 0; i < count; i++) arrays.push(readRecord(r, i));
  const numNames = r.u64('the number of names');
  if (numNames === 0) return arrays;
  if (numNames !== count) r.fail(`${numNames} names for ${count} arrays`);
  const names: string[] = [];
  for (let i = 0; i < numNames; i++) names.push(r.take(r.u64(`the length of name ${i}`), `name ${i}`).toString('utf8'));
  return Object.fromEntries(names.map((name, i) => [name, arrays[i]]));
}

// ---- NumPy .npy -------------------------------------------------------------------------------------

const NPY_MAGIC = Buffer.from('\x93NUMPY', 'latin1');
const NPY_DESCR: Record<DType, string> = { float32: '<f4', float64: '<f8', int32: '<i4', uint8: '|u1' };
/** The type part of a descr (after the byte-order character) -> ndgrad dtype; bool loads as uint8. */
const NPY_TYPES: Record<string, DType> = { f4: 'float32', f8: 'float64', i4: 'int32', u1: 'uint8', b1: 'uint8' };

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
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(padded, 'latin1'), dataBytes(x)]));
}

/**
 * Reads a NumPy .npy file (format 1.0 to 3.0) with dtype float32, float64, int32, uint8 or bool
 * (loaded as uint8), in either byte order and C or Fortran order. A 0-d array loads with shape [1].
 */
export function loadNpy(file: string): NDArray {
  checkPath(file, 'loadNpy');
  const bytes = fs.readFileSync(file);
  const bad = (why: string): never => {
    throw new Error(`loadNpy: ${file} is not a valid .npy file: ${why}`);
  };
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(NPY_MAGIC)) bad('it does not start with \\x93NUMPY');
  const major = bytes[6];
  if (major < 1 || major > 3) bad(`unknown format version ${major}.${bytes[7]}`);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) bad('the header is truncated');
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = 8 + lenBytes + headerLen;
  if (bytes.length < start) bad('the header is truncated');
  const header = bytes.subarray(8 + lenBytes, start).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? bad(`no dtype in the header ${header.trim()}`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? bad(`no fortran_order in the header ${header.trim()}`);
  const shapeField = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? bad(`no shape in the header ${header.trim()}`);
  const dims = shapeField
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : bad(`the shape (${shapeField}) is not a tuple of integers`)));
  const order = descr[0];
  const dtype = NPY_TYPES[descr.slice(1)];
  if (dtype === undefined || !'<>|='.includes(order)) {
    throw new TypeError(
      `loadNpy: ${file} has dtype '${descr}'; ndgrad reads float32, float64, int32, uint8 and bool ` +
        '(convert it in NumPy with astype first)',
    );
  }
  const shape = dims.length === 0 ? [1] : dims;
  const nbytes = shape.reduce((a, b) => a * b, 1) * ITEM_BYTES[dtype];
  if (bytes.length < start + nbytes) bad(`the data of shape ${shapeText(shape)} needs ${nbytes} bytes, the file has ${bytes.length - start}`);
  const data = bytes.subarray(start, start + nbytes);
  const littleEndian = order === '>' ? false : order === '<' ? true : LITTLE_ENDIAN;
  if (fortran === 'False' || shape.length < 2) return fromBytes(data, dtype, shape, littleEndian, 'loadNpy');
  // Fortran (column-major) data is the C-order data of the reversed shape, transposed.
  const reversed = fromBytes(data, dtype, shape.slice().reverse(), littleEndian, 'loadNpy');
  const out = reversed.transpose();
  reversed.dispose();
  return out;
}
