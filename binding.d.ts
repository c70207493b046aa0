// The exact surface of the compiled module (native/binding/, its method table in addon.cc). lib/
// talks to native code only through this interface.

/**
 * An opaque reference to a native array; released by GC or `dispose`. The calls that take an
 * `owner` return a slot number whose array is released when `owner` (the NDArray that stores the
 * handle) is collected; the others return an External that is its own owner.
 */
export interface Handle {
  readonly __ndgradHandle: unique symbol;
}

/**
 * What a call with an `owner` returns for a small result (native/binding/result_pages.h): the
 * token of the page the result shares one finalizer with, to be stored in `owner._p`; the slot
 * number is then in `slotCell[0]`.
 */
export interface PageToken {
  readonly __ndgradPage: unique symbol;
}

/**
 * The options of a generic op call, checked by the op's field table in the addon (unknown keys,
 * types, ranges); `opSchema()` lists every op's fields.
 */
export type OpOptions = object;

export type FieldType =
  | 'bool'
  | 'int'
  | 'float'
  | 'int-list'
  | 'float-list'
  | 'index-list'
  | 'axis'
  | 'axes'
  | 'shape'
  | 'enum'
  | 'dtype'
  | 'ignored';

/** One option of one op, as its field table declares it (native/core/ops/params.h). */
export interface FieldSchema {
  /** camelCase name */
  name: string;
  /** other accepted spellings (MXNet's snake_case) */
  aliases: string[];
  type: FieldType;
  /** undefined when required (or ignored) */
  default: unknown;
  required: boolean;
  /** null is a value of its own (MXNet's None: all axes, to the end, ...) */
  nullable: boolean;
  min?: number;
  max?: number;
  minExclusive: boolean;
  maxExclusive: boolean;
  /** enum and dtype fields: the accepted strings */
  choices: string[];
  description: string;
}

export interface OpSchema {
  name: string;
  fields: FieldSchema[];
}

export interface OpInfo {
  name: string;
  /** -1: any number of inputs */
  numInputs: number;
  /** bit flags: 1 saves inputs, 2 saves outputs, 4 view, 8 zero gradient, 16 creation, 32 writes inputs in place */
  flags: number;
  /** input domain for tests: 0 any, 1 positive, 2 (-1, 1), 3 non-zero, 4 away from integers */
  domain: number;
}

export interface FileArrayLayout {
  shape: number[];
  dtype: number;
  offset: number;
  bytes: number;
}

export type NativeTypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface Binding {
  opInfo(): OpInfo[];
  opSchema(): OpSchema[];
  /** owner: the NDArray that will hold a single result (a slot handle, as unary/binary/scalar) */
  invoke(op: number, inputs: Handle[], options?: OpOptions, owner?: object): Handle | PageToken | Handle[];
  /** out: writes the result into this array, or the results into these, one per result (MXNet's out=) */
  invoke(op: number, inputs: Handle[], options: OpOptions | undefined, owner: undefined, out: Handle | Handle[]): undefined;
  unary(op: number, x: Handle, owner?: object): Handle | PageToken;
  binary(op: number, a: Handle, b: Handle, owner?: object): Handle | PageToken;
  scalar(op: number, a: Handle, s: number, owner?: object): Handle | PageToken;
  /**
   * unary, binary and scalar with the op id and the inputs' slot numbers in `opCell` ([op, x]
   * or [op, a, b]), written right before the call; the inputs must have slot handles (numbers).
   */
  unaryCell(owner: object): Handle | PageToken;
  binaryCell(owner: object): Handle | PageToken;
  scalarCell(s: number, owner: object): Handle | PageToken;
  readonly opCell: Int32Array;
  /** the slot number of the last result that came back as a PageToken */
  readonly slotCell: Int32Array;
  /** dtype: 0 float32, 1 float64, 2 int32, 3 uint8 */
  fromTyped(data: NativeTypedArray, shape: number[], dtype: number): Handle;
  toTyped(h: Handle): NativeTypedArray;
  dataView(h: Handle): NativeTypedArray;
  shape(h: Handle): number[];
  dtype(h: Handle): number;
  /** owner: the NDArray holding h (its hidden weight is detached, see Addon::unweigh) */
  dispose(h: Handle, owner?: object): void;
  isDisposed(h: Handle): boolean;
  memory(): { numArrays: number; numBytes: number };
  /** Storage buffers allocated since load (the storage pool's count; out= is tested with it). */
  allocations(): number;
  /** Sets the largest array buffer (0: the default, physical memory) and returns the previous one. */
  setMaxArrayBytes(bytes?: number): number;
  /** The shape and size checks of creating such an array, without allocating it. */
  checkArray(shape: number[], dtype: number, fn: string): void;
  /** Where a .params or .npy file's arrays are (native/core/io/file_formats.h); file names it in errors. */
  parseFile(bytes: Uint8Array, kind: 'params', file: string): { arrays: FileArrayLayout[]; names: string[] };
  parseFile(bytes: Uint8Array, kind: 'npy', file: string): FileArrayLayout & { littleEndian: boolean; fortran: boolean; boolean: boolean };
  /** The native memory V8 counts for this instance (reports are batched; see external_memory.h). */
  reportedMemory(): number;
  /** The schedule of the scavenges the addon requests (young_collections.h: Schedule), for tests that must not depend on the machine's load: 'clock' (the default: the time rule), 'pace' (every request at its pace), 'wait' (the time rule always binds), 'none' (no request: V8 alone). */
  setPacing(schedule: 'clock' | 'pace' | 'wait' | 'none'): void;
  seed(seed: number): void;
  isa(): 'scalar' | 'avx2' | 'avx512';
  numThreads(): number;
  setRecording(on: boolean): boolean;
  setTraining(on: boolean): boolean;
  /** Both flags in one call: bit 0 sets recording to bit 1, bit 2 sets training to bit 3; returns
   * the previous flags (bit 0 recording, bit 1 training). */
  setModes(modes: number): number;
  isRecording(): boolean;
  isTraining(): boolean;
  /** gradReqs: 0 null, 1 write, 3 add */
  markVariables(vars: Handle[], grads: Handle[], gradReqs: number[]): void;
  grad(h: Handle): Handle | null;
  inGraph(h: Handle): boolean;
  /** MXNet's _fresh_grad of a marked variable (false for other arrays); value sets it first. */
  freshGrad(h: Handle, value?: boolean): boolean;
  backward(
    heads: Handle[],
    headGrads: (Handle | null)[],
    variables: Handle[],
    retainGraph: boolean,
    createGraph: boolean,
    trainMode: boolean,
  ): Handle[];
  detach(h: Handle): Handle;
  assign(target: Handle, value: Handle): void;
  assignScalar(target: Handle, value: number): void;
  inplace(op: number, target: Handle, value: Handle): void;
  inplaceScalar(op: number, target: Handle, value: number): void;
  sameStorage(a: Handle, b: Handle): boolean;
  /** Installs the JS function that runs an autograd.Function's backward from the engine. */
  setCustomBackward(dispatch: (fn: object, outGrads: Handle[]) => (Handle | null)[]): void;
  /** Records a custom Function application; returns false when nothing was recorded. */
  recordCustom(fn: object, inputs: Handle[], outputs: Handle[]): boolean;
}
