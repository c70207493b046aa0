// Calling registry ops from JS: the generic call (options checked by the op's field table in the
// addon), the per-op fast paths of unary, binary and number operands, and the argument checks
// every op shares.
import type { Handle, OpOptions, PageToken } from '../../binding';
import type { NDArray } from '../ndarray';
import { native } from './native';
import { OP, type OpName } from './ops';
import { track } from './tidy';

// The binding object (like the addon's) holds some forty methods, which V8 keeps as a dictionary:
// optimised code leaves a read from it to the generic LoadIC (about 70 instructions). The per-op
// calls are read from it once.
const {
  unary: nativeUnary,
  binary: nativeBinary,
  scalar: nativeScalar,
  unaryCell: nativeUnaryCell,
  binaryCell: nativeBinaryCell,
  scalarCell: nativeScalarCell,
  invoke: nativeInvoke,
} = native;

// The NDArray class, handed over by lib/ndarray.ts when it loads (it imports this module, so this
// one cannot import it back).
let ArrayClass: new (handle: Handle, tracked?: boolean) => NDArray;

export function setArrayClass(c: typeof ArrayClass): void {
  ArrayClass = c;
}

export function shapeText(s: readonly number[]): string {
  return `(${s.join(',')}${s.length === 1 ? ',' : ''})`;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an Array';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return typeof x;
}

export function requireArray(x: unknown, fn: string, arg: string): asserts x is NDArray {
  if (!(x instanceof ArrayClass)) throw new TypeError(`${fn}: ${arg} must be an NDArray, got ${describe(x)}`);
}

/** What invoke takes as an input: an NDArray (or the class body's `this`). */
interface HasHandle {
  readonly _h: Handle;
}

/** MXNet's out=: the array an op writes its result into (of the result's shape and dtype). */
export interface OutOption {
  out?: NDArray | null;
}

/**
 * MXNet's out= for an op with several results: one array per result, in the order the op returns
 * them, each of its result's shape and dtype (MXNet takes a list or a tuple; here a list).
 */
export interface MultiOutOption {
  out?: NDArray[] | null;
}

function hasOut(options: OpOptions | undefined): options is OutOption | MultiOutOption {
  return typeof options === 'object' && options !== null && 'out' in options;
}

// out= travels as invoke's own argument, not as an option of the op's field table; the arrays
// are written, not replaced, so the caller's NDArray objects are what comes back. The addon
// checks the count, shapes and dtypes against the op's results.
function invokeInto(op: OpName, inputs: readonly HasHandle[], out: NDArray | NDArray[], options: OpOptions | undefined): void {
  let handles: Handle | Handle[];
  if (Array.isArray(out)) {
    if (out.length === 0) throw new TypeError(`${op}: out is an empty list; pass one NDArray per result`);
    handles = out.map((o, i) => {
      requireArray(o, op, `out[${i}]`);
      return o._h;
    });
  } else {
    requireArray(out, op, 'out');
    handles = out._h;
  }
  nativeInvoke(OP[op], inputs.map((x) => x._h), options, undefined, handles);
}

// The options without `out`; undefined when `out` was the only one, so that the addon skips its
// option reader (`nd.add(a, b, { out })` in a loop).
function withoutOut(options: OutOption | MultiOutOption): OpOptions | undefined {
  for (const key in options) {
    if (key !== 'out') {
      const { out: _, ...rest } = options;
      return rest;
    }
  }
  return undefined;
}

export function invoke(op: OpName, inputs: readonly HasHandle[], options?: OpOptions): NDArray {
  if (hasOut(options)) {
    const out = options.out;
    options = withoutOut(options);
    if (out !== undefined && out !== null) {
      invokeInto(op, inputs, out, options);
      return Array.isArray(out) ? out[0]! : out;
    }
  }
  // A single result gets a slot handle on an NDArray made first, as the unary/binary fast paths.
  const r = fresh();
  const out = nativeInvoke(OP[op], inputs.map((x) => x._h), options, r);
  if (Array.isArray(out)) throw new Error(`${op}: expected one output`);
  return filled(r, out);
}

export function invokeMulti(op: OpName, inputs: readonly HasHandle[], options?: OpOptions): NDArray[] {
  if (hasOut(options)) {
    const out = options.out;
    options = withoutOut(options);
    if (out !== undefined && out !== null) {
      invokeInto(op, inputs, out, options);
      return Array.isArray(out) ? [...out] : [out];
    }
  }
  const out = nativeInvoke(OP[op], inputs.map((x) => x._h), options);
  return (Array.isArray(out) ? out : [out]).map((h) => new ArrayClass(h as Handle)); // no owner: no page token
}

/**
 * The options of an op whose first option is an axis: a number or a list is that axis, an object
 * goes to the op's field table as it is.
 */
export function axisOptions(opts: unknown, fn: string): OpOptions | undefined {
  if (opts === undefined || opts === null) return undefined;
  if (typeof opts === 'number' || Array.isArray(opts)) return { axis: opts };
  if (typeof opts !== 'object') throw new TypeError(`${fn}: expected an axis or an options object, got ${describe(opts)}`);
  return opts as OpOptions;
}

const NO_HANDLE = -1 as unknown as Handle;

// The hot ops hand the binding the NDArray that will hold their result, so the native array's
// lifetime is tied to that object directly (a slot handle, binding/handles.h) instead of to a
// separate handle object. It joins the nd.tidy scope only once the op has succeeded.
function fresh(): NDArray {
  return new ArrayClass(NO_HANDLE, false);
}

// A small result comes back as its page's token (native/binding/result_pages.h), which the
// NDArray must hold, with the slot number in the shared cell; a call with an owner returns
// nothing else but a slot number.
const slotCell = native.slotCell;

function filled(r: NDArray, h: Handle | PageToken): NDArray {
  if (typeof h === 'number') {
    r._h = h;
  } else {
    r._p = h;
    r._h = slotCell[0] as unknown as Handle;
  }
  track(r);
  return r;
}

// The op id and the inputs' slot numbers go to the addon in a shared cell (binding.opCell) rather
// than as arguments: the addon would read each argument with a Node-API call (about 150
// instructions of a 2x2 op). The addon checks what it finds there as it checks arguments. An
// External handle (nd.array's results, gradients) is no number and takes the argument form.
const opCell = native.opCell;

function unaryOf(id: number, x: Handle, r: NDArray): NDArray {
  if (typeof x === 'number') {
    opCell[0] = id;
    opCell[1] = x;
    return filled(r, nativeUnaryCell(r));
  }
  return filled(r, nativeUnary(id, x, r));
}

function binaryOf(id: number, x: Handle, y: Handle, r: NDArray): NDArray {
  if (typeof x === 'number' && typeof y === 'number') {
    opCell[0] = id;
    opCell[1] = x;
    opCell[2] = y;
    return filled(r, nativeBinaryCell(r));
  }
  return filled(r, nativeBinary(id, x, y, r));
}

function scalarOf(id: number, x: Handle, v: number, r: NDArray): NDArray {
  if (typeof x === 'number') {
    opCell[0] = id;
    opCell[1] = x;
    return filled(r, nativeScalarCell(v, r));
  }
  return filled(r, nativeScalar(id, x, v, r));
}

// Each generated function or method is a closure holding its op's ids and calling one shared
// function (unaryCall, binaryCall): a single call target that V8 inlines, whichever op it is.

/** An op of two arrays with its default options, through the binding's binary entry. */
export function pairCall(id: number, a: NDArray, b: NDArray): NDArray {
  return binaryOf(id, a._h, b._h, fresh());
}

export function unaryCall(id: number, op: OpName, x: NDArray): NDArray {
  requireArray(x, op, 'x');
  return unaryOf(id, x._h, fresh());
}

/** The nd function of a unary op (`unary('exp')(x)`, `unary('exp')(x, { out })`). */
export function unary(op: OpName): (x: NDArray, opts?: OutOption) => NDArray {
  const id = OP[op];
  return (x, opts) => {
    if (opts === undefined) return unaryCall(id, op, x);
    requireArray(x, op, 'x');
    return invoke(op, [x], opts);
  };
}

/** The NDArray method of a unary op. */
export function unaryMethod(op: OpName): (this: NDArray) => NDArray {
  const id = OP[op];
  return function (this: NDArray) {
    return unaryCall(id, op, this);
  };
}

/** The op for `array (op) number` and for `number (op) array`. */
const SCALAR_FORMS: Partial<Record<OpName, [OpName, OpName]>> = {
  add: ['add_scalar', 'add_scalar'],
  subtract: ['subtract_scalar', 'rsubtract_scalar'],
  multiply: ['multiply_scalar', 'multiply_scalar'],
  divide: ['divide_scalar', 'rdivide_scalar'],
  power: ['power_scalar', 'rpower_scalar'],
  mod: ['mod_scalar', 'rmod_scalar'],
  maximum: ['maximum_scalar', 'maximum_scalar'],
  minimum: ['minimum_scalar', 'minimum_scalar'],
  equal: ['equal_scalar', 'equal_scalar'],
  not_equal: ['not_equal_scalar', 'not_equal_scalar'],
  greater: ['greater_scalar', 'lesser_scalar'],
  greater_equal: ['greater_equal_scalar', 'lesser_equal_scalar'],
  lesser: ['lesser_scalar', 'greater_scalar'],
  lesser_equal: ['lesser_equal_scalar', 'greater_equal_scalar'],
};

export type Operand = NDArray | number;

/** The ids of a binary op: array-array, array-number and number-array. */
interface BinaryIds {
  op: OpName;
  id: number;
  scalar: number;
  reversed: number;
  scalarOp: OpName;
  reversedOp: OpName;
}

function binaryIds(op: OpName): BinaryIds {
  const [scalarOp, reversedOp] = SCALAR_FORMS[op] as [OpName, OpName];
  return { op, id: OP[op], scalar: OP[scalarOp], reversed: OP[reversedOp], scalarOp, reversedOp };
}

/** a (op) b through the generic call, which takes options (`out`). */
function binaryWith(ids: BinaryIds, a: Operand, b: Operand, opts: OutOption): NDArray {
  if (a instanceof ArrayClass && b instanceof ArrayClass) return invoke(ids.op, [a, b], opts);
  if (a instanceof ArrayClass && typeof b === 'number') return invoke(ids.scalarOp, [a], { ...opts, scalar: b });
  if (typeof a === 'number' && b instanceof ArrayClass) return invoke(ids.reversedOp, [b], { ...opts, scalar: a });
  return binaryCall(ids, a, b); // throws the operand error
}

/** a (op) b with NumPy broadcasting; either side may be a number (MXNet's scalar ops). */
export function binaryCall(ids: BinaryIds, a: Operand, b: Operand): NDArray {
  if (a instanceof ArrayClass) {
    if (b instanceof ArrayClass) return binaryOf(ids.id, a._h, b._h, fresh());
    if (typeof b === 'number') return scalarOf(ids.scalar, a._h, b, fresh());
    throw new TypeError(`${ids.op}: rhs must be an NDArray or a number, got ${describe(b)}`);
  }
  if (typeof a === 'number') {
    if (b instanceof ArrayClass) return scalarOf(ids.reversed, b._h, a, fresh());
    if (typeof b === 'number') throw new TypeError(`${ids.op}: at least one operand must be an NDArray (got two numbers)`);
    throw new TypeError(`${ids.op}: rhs must be an NDArray or a number, got ${describe(b)}`);
  }
  throw new TypeError(`${ids.op}: lhs must be an NDArray or a number, got ${describe(a)}`);
}

/** The nd function of a binary op (`binary('add')(a, 2)`, `binary('add')(a, b, { out })`). */
export function binary(op: OpName): (a: Operand, b: Operand, opts?: OutOption) => NDArray {
  const ids = binaryIds(op);
  return (a, b, opts) => (opts === undefined ? binaryCall(ids, a, b) : binaryWith(ids, a, b, opts));
}

/** The NDArray method of a binary op (`x.add(y)`), or with `reversed` the number on the left (`x.rsub(s)`). */
export function binaryMethod(op: OpName, reversed = false): (this: NDArray, other: Operand) => NDArray {
  const ids = binaryIds(op);
  if (reversed) {
    return function (this: NDArray, s: Operand) {
      return binaryCall(ids, s, this);
    };
  }
  return function (this: NDArray, other: Operand) {
    return binaryCall(ids, this, other);
  };
}

/** target (op)= value, in place; returns target. */
export function inPlace(op: OpName): (target: NDArray, value: Operand) => NDArray {
  const id = OP[op];
  return (target, value) => {
    if (typeof value === 'number') native.inplaceScalar(id, target._h, value);
    else {
      requireArray(value, `${op} (in place)`, 'value');
      native.inplace(id, target._h, value._h);
    }
    return target;
  };
}
