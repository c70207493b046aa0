// Limits that keep a server process alive when a request asks for too much: the largest native
// array (enforced by the addon's allocator, see StoragePool::allocate) and the largest conversion
// to JS values (checked here, because V8 ends the process when its heap runs out).
import * as v8 from 'v8';
import { native } from './native';

export interface Limits {
  /** The largest array buffer in bytes; creating a larger array is a RangeError. */
  maxArrayBytes: number;
}

function readBytes(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new RangeError(`${where}: maxArrayBytes must be a positive integer number of bytes, got ${typeof v === 'number' ? v : typeof v}`);
  }
  return v;
}

/** The limits in force (the defaults: the machine's physical memory). */
export function getLimits(): Limits {
  const bytes = native.setMaxArrayBytes();
  return { maxArrayBytes: bytes };
}

/**
 * Sets the limits of this thread's ndgrad (each worker thread has its own); a field left out
 * keeps its value, null restores its default. Returns the previous limits.
 */
export function setLimits(limits: { maxArrayBytes?: number | null }): Limits {
  if (limits === null || typeof limits !== 'object') {
    throw new TypeError(`setLimits: limits must be an object like { maxArrayBytes }, got ${limits === null ? 'null' : typeof limits}`);
  }
  const prev = getLimits();
  const { maxArrayBytes } = limits;
  if (maxArrayBytes === null) native.setMaxArrayBytes(0);
  else if (maxArrayBytes !== undefined) native.setMaxArrayBytes(readBytes(maxArrayBytes, 'setLimits'));
  return prev;
}

const ENV_VAR = 'NDGRAD_MAX_ARRAY_BYTES';
const fromEnv = process.env[ENV_VAR];
if (fromEnv !== undefined && fromEnv !== '') native.setMaxArrayBytes(readBytes(Number(fromEnv), ENV_VAR));

/**
 * JS numbers take about 8 bytes each in a packed array, and toArray/printing hold a flat copy and
 * the nested result at once; a conversion that would not fit in what is left of the V8 heap is
 * refused here, since running out of heap aborts the process.
 */
const JS_BYTES_PER_ELEMENT = 24;

export function checkFitsInHeap(elements: number, fn: string): void {
  const { heap_size_limit: limit, used_heap_size: used } = v8.getHeapStatistics();
  const need = elements * JS_BYTES_PER_ELEMENT;
  if (need > limit - used) {
    const mib = (b: number) => Math.round(b / 2 ** 20);
    throw new RangeError(
      `${fn}: ${elements} elements need about ${mib(need)} MiB of JS heap, ${mib(limit - used)} MiB are left ` +
        '(read large arrays with toTypedArray or dataView, or raise node --max-old-space-size)',
    );
  }
}
