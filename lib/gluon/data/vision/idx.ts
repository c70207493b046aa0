// The idx format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist): a big-endian
// header (two zero bytes, a type byte, the number of dimensions, one uint32 per dimension)
// followed by the values; gzip'd files are recognised by their magic bytes.
import { readFileSync } from 'fs';
import { gunzipSync } from 'zlib';

const UBYTE = 0x08;

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

export function readIdx(file: string, expectedDims: number): IdxArray {
  let bytes: Uint8Array = readFileSync(file);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`idx: ${file} is not a readable gzip file (${(e as Error).message})`);
    }
  }
  const bad = (why: string): Error => new Error(`idx: ${file} is not an idx file of unsigned bytes with ${expectedDims} dimension(s): ${why}`);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw bad('its first two bytes are not zero');
  if (bytes[2] !== UBYTE) throw bad(`its type byte is 0x${bytes[2].toString(16)}, not 0x08 (unsigned byte)`);
  if (bytes[3] !== expectedDims) throw bad(`it has ${bytes[3]} dimension(s)`);
  const headerLength = 4 + 4 * expectedDims;
  if (bytes.length < headerLength) throw bad('its header is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: expectedDims }, (_, k) => view.getUint32(4 + 4 * k, false));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - headerLength !== size) {
    throw bad(`the header announces ${shape.join('x')} = ${size} values but the file holds ${bytes.length - headerLength}`);
  }
  return { shape, data: bytes.subarray(headerLength) };
}
