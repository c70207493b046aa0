// The autograd namespace: recording scopes, backward/grad and variable marking. The tape itself
// lives in the native core; this file only sets flags and passes handles.
import { requireArray } from './core/dispatch';
import { gradReqCode, type GradReq, NDArray } from './ndarray';
import { native } from './core/native';

// `using _ = autograd.record()` needs Symbol.dispose. Declaring it here (the same declaration as
// TypeScript's esnext.disposable lib, with which it merges) lets consumers compile against
// ndgrad's types with any `lib` from ES2020 on.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

export interface ScopeOptions {
  trainMode?: boolean;
}

/**
 * MXNet's _RecordingStateScope: sets the recording and/or training flag on enter; on exit each
 * flag it set is restored to the previous value when that differs from the value it entered with.
 */
export class RecordingScope {
  private prevRecording: boolean | null = null;
  private prevTraining: boolean | null = null;

  constructor(
    private readonly recording: boolean | null,
    private readonly training: boolean | null,
  ) {}

  enter(): this {
    // One native call for both flags (bits of native.setModes: set recording, its value, set
    // training, its value), one on exit: a recorded callback made four before.
    const r = this.recording;
    const t = this.training;
    if (r === null && t === null) return this;
    const prev = native.setModes((r === null ? 0 : r ? 3 : 1) | (t === null ? 0 : t ? 12 : 4));
    if (r !== null) this.prevRecording = (prev & 1) !== 0;
    if (t !== null) this.prevTraining = (prev & 2) !== 0;
    return this;
  }

  exit(): void {
    let modes = 0;
    if (this.recording !== null && this.prevRecording !== null && this.prevRecording !== this.recording) {
      modes |= this.prevRecording ? 3 : 1;
    }
    if (this.training !== null && this.prevTraining !== null && this.prevTraining !== this.training) {
      modes |= this.prevTraining ? 12 : 4;
    }
    if (modes !== 0) native.setModes(modes);
  }

  [Symbol.dispose](): void {
    this.exit();
  }
}

function runScoped<T>(scope: RecordingScope, fn: () => T, name: string): T {
  if (typeof fn !== 'function') throw new TypeError(`${name}: expected a function`);
  scope.enter();
  let result: T;
  try {
    result = fn();
  } finally {
    scope.exit();
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new Error(
      `${name}: the callback returned a Promise. Recording is synchronous: operations after an await ` +
        'would run outside the scope. Do the recorded work synchronously inside the callback.',
    );
  }
  return result;
}

type ScopeFn = {
  <T>(fn: () => T, opts?: ScopeOptions): T;
  (opts?: ScopeOptions): RecordingScope;
};

function scopeFactory(name: string, recording: boolean | null, defaultTrain: boolean | null): ScopeFn {
  return (<T>(fnOrOpts?: (() => T) | ScopeOptions, opts?: ScopeOptions): T | RecordingScope => {
    const o = typeof fnOrOpts === 'function' ? opts : fnOrOpts;
    const train = o?.trainMode === undefined ? defaultTrain : Boolean(o.trainMode);
    const scope = new RecordingScope(recording, train);
    if (typeof fnOrOpts === 'function') return runScoped(scope, fnOrOpts, name);
    return scope.enter();
  }) as ScopeFn;
}

/** Records operations for backward: `record(() => ...)` or `using _ = record()`. trainMode defaults to true. */
export const record = scopeFactory('record', true, true);
/** Stops recording inside: `pause(() => ...)`; trainMode defaults to false. */
export const pause = scopeFactory('pause', false, false);

type ModeFn = {
  <T>(fn: () => T): T;
  (): RecordingScope;
};
function modeFactory(name: string, train: boolean): ModeFn {
  return (<T>(fn?: () => T): T | RecordingScope => {
    const scope = new RecordingScope(null, train);
    if (fn !== undefined) return runScoped(scope, fn, name);
    return scope.enter();
  }) as ModeFn;
}
/** Sets only the training flag (dropout active), leaving recording as it is. */
export const trainMode = modeFactory('trainMode', true);
/** Sets only the training flag to false. */
export const predictMode = modeFactory('predictMode', false);

export function isRecording(): boolean {
  return native.isRecording();
}
export function isTraining(): boolean {
  return native.isTraining();
}
/** Sets the recording flag; returns the previous value. */
export function setRecording(on: boolean): boolean {
  return native.setRecording(Boolean(on));
}
/** Sets the training flag; returns the previous value. */
export function setTraining(on: boolean): boolean {
  return native.setTraining(Boolean(on));
}

export interface AutogradBackwardOptions {
  retainGraph?: boolean;
  trainMode?: boolean;
}

function asList(x: NDArray | NDArray[], fn: string, arg: string): NDArray[] {
  const list = Array.isArray(x) ? x : [x];
  list.forEach((v, i) => requireArray(v, fn, `${arg}[${i}]`));
  return list;
}

function headGradList(heads: NDArray[], headGrads: NDArray | (NDArray | null)[] | null | undefined, fn: string) {
  if (headGrads === undefined || headGrads === null) return heads.map(() => null);
  const list = Array.isArray(headGrads) ? headGrads : [headGrads];
  if (list.length !== heads.length) {
    throw new RangeError(`${fn}: heads and headGrads must be lists of the same length (${heads.length} vs ${list.length})`);
  }
  return list.map((g, i) => {
    if (g === null || g === undefined) return null;
    requireArray(g, fn, `headGrads[${i}]`);
    return g._h;
  });
}

/** Backpropagates from several heads; a null head gradient means ones. */
export function backward(
  heads: NDArray | NDArray[],
  headGrads?: NDArray | (NDArray | null)[] | null,
  opts: AutogradBackwardOptions = {},
): void {
  const hs = asList(heads, 'backward', 'heads');
  native.backward(
    hs.map((h) => h._h),
    headGradList(hs, headGrads, 'backward'),
    [],
    Boolean(opts.retainGraph),
    false,
    opts.trainMode === undefined ? true : Boolean(opts.trainMode),
  );
}

export interface GradOptions {
  headGrads?: NDArray | (NDArray | null)[] | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  trainMode?: boolean;
}

/** Gradients of heads with respect to variables, as new arrays (x.grad is not touched). */
export function grad(heads: NDArray | NDArray[], variables: NDArray | NDArray[], opts: GradOptions = {}): NDArray[] {
  const hs = asList(heads, 'grad', 'heads');
  const vs = asList(variables, 'grad', 'variables');
  if (vs.length === 0) throw new RangeError('grad: variables cannot be an empty list.');
  const createGraph = Boolean(opts.createGraph);
  const retain = opts.retainGraph === undefined ? createGraph : Boolean(opts.retainGraph);
  const out = native.backward(
    hs.map((h) => h._h),
    headGradList(hs, opts.headGrads, 'grad'),
    vs.map((v) => v._h),
    retain,
    createGraph,
    opts.trainMode === undefined ? true : Boolean(opts.trainMode),
  );
  return out.map((h) => new NDArray(h));
}

/** Marks arrays as variables with the given gradient buffers (MXNet mark_variables). */
export function markVariables(
  variables: NDArray | NDArray[],
  gradients: NDArray | NDArray[],
  gradReqs: GradReq | GradReq[] = 'write',
): void {
  if (variables instanceof NDArray && !(gradients instanceof NDArray)) {
    throw new TypeError('markVariables: when variables is one NDArray, gradients must be one NDArray too');
  }
  const vs = asList(variables, 'markVariables', 'variables');
  const gs = asList(gradients, 'markVariables', 'gradients');
  const reqs = Array.isArray(gradReqs) ? gradReqs : vs.map(() => gradReqs);
  native.markVariables(
    vs.map((v) => v._h),
    gs.map((g) => g._h),
    reqs.map((r) => gradReqCode(r, 'markVariables')),
  );
}

/**
 * A differentiable operation written in JS (MXNet's autograd.Function): subclass it, implement
 * `forward(...inputs)` and `backward(...outputGrads)`, and apply a fresh instance with
 * `call(...inputs)`. forward runs with recording off; backward gets one gradient per output and
 * returns one per input (a single NDArray is accepted for one input). The results honour every
 * input's gradReq, including 'add'.
 */
export class Function {
  private used = false;
  /** Arrays stored by saveForBackward, for backward to read. */
  savedTensors: NDArray[] = [];

  saveForBackward(...arrays: NDArray[]): void {
    this.savedTensors = arrays;
  }

  forward(..._inputs: NDArray[]): NDArray | NDArray[] {
    throw new Error('Function.forward is not implemented: override it in a subclass');
  }

  backward(..._outputGrads: NDArray[]): NDArray | (NDArray | null)[] {
    throw new Error('Function.backward is not implemented: override it in a subclass');
  }

  /** Applies forward to the inputs, recording one node; returns what forward returns. */
  call<This extends Function>(this: This, ...inputs: Parameters<This['forward']>): ReturnType<This['forward']>;
  call(...inputs: NDArray[]): NDArray | NDArray[] {
    if (this.used) throw new Error('Each Function instance can only be called once. Please create another instance.');
    this.used = true;
    inputs.forEach((x, i) => requireArray(x, 'Function.call', `inputs[${i}]`));
    const previous = native.setRecording(false);
    let out: NDArray | NDArray[];
    try {
      out = this.forward(...inputs);
    } finally {
      native.setRecording(previous);
    }
    const outs = Array.isArray(out) ? out : [out];
    outs.forEach((y, i) => requireArray(y, 'Function.forward', `output ${i}`));
    native.recordCustom(this, inputs.map((x) => x._h), outs.map((y) => y._h));
    return out;
  }
}

native.setCustomBackward((fn, outGrads) => {
  const grads = outGrads.map((h) => new NDArray(h));
  const result = (fn as Function).backward(...grads);
  const list = Array.isArray(result) ? result : [result];
  return list.map((g, i) => {
    if (g === null || g === undefined) return null;
    requireArray(g, 'Function.backward', `gradient ${i}`);
    return g._h;
  });
});
