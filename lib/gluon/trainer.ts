// gluon.Trainer: applies an mx.optimizer Optimizer to a set of Parameters after backward, as
// MXNet 1.9's python/mxnet/gluon/trainer.py does on one device (no kvstore here).
import { describe } from '../core/dispatch';
import { readOptions } from '../core/options';
import { untracked } from '../core/tidy';
import { loadDict, save } from '../io/files';
import { array } from '../nd/creation';
import type { NDArray } from '../ndarray';
import { create, Optimizer, type OptimizerState } from '../optimizer';
import { Parameter } from './parameter';
import { ParameterDict } from './parameter-dict';

export interface StepOptions {
  /** Skip parameters whose gradient backward did not refresh instead of throwing. */
  ignoreStaleGrad?: boolean;
}

const STEP_OPTIONS = { ignoreStaleGrad: ['ignore_stale_grad'] };

/** The parameters in MXNet's order: a dict's sorted by name, a list's as given. */
function parameterList(params: unknown): Parameter[] {
  let list: unknown[];
  if (params instanceof ParameterDict) list = params.keys().sort().map((k) => params.at(k));
  else if (Array.isArray(params)) list = params;
  else if (params !== null && typeof params === 'object' && !(params instanceof Parameter)) {
    const dict = params as Record<string, unknown>;
    list = Object.keys(dict).sort().map((k) => dict[k]);
  } else {
    throw new TypeError(`Trainer: params must be a ParameterDict, a list or a dict of Parameters, got ${describe(params)}`);
  }
  list.forEach((p, i) => {
    if (!(p instanceof Parameter)) throw new TypeError(`Trainer: params[${i}] must be a Parameter, got ${describe(p)}`);
  });
  return list as Parameter[];
}

/** A state as a flat list of arrays (null: none), the order createState made them in. */
function flatState(state: OptimizerState): NDArray[] {
  if (state === null || state === undefined) return [];
  return Array.isArray(state) ? [...(state as NDArray[])] : [state as NDArray];
}

/** An optimizer whose update takes lists (aggregateNum > 1), as SGD's does. */
type AggregatingOptimizer = Optimizer & {
  update(index: number[], weight: NDArray[], grad: NDArray[], state: OptimizerState[]): void;
};

export class Trainer {
  private readonly _params: Parameter[];
  private readonly _optimizer: Optimizer;
  /** The optimizer's rescaleGrad before step() divided it by the batch size. */
  private readonly _scale: number;
  private readonly _states = new Map<number, OptimizerState>();
  /** States read by loadStates for weights whose state does not exist yet. */
  private readonly _pending = new Map<number, NDArray[]>();

  /**
   * @param params the parameters to train: `net.collectParams()`, a list or a dict of them
   * @param optimizer an Optimizer, or its name for `optimizer.create`
   * @param optimizerParams the optimizer's options when it is given by name
   */
  constructor(params: ParameterDict | Parameter[] | Record<string, Parameter>, optimizer: string | Optimizer, optimizerParams?: object) {
    this._params = parameterList(params);
    const paramDict = Object.fromEntries(this._params.map((p, i) => [i, p]));
    if (optimizer instanceof Optimizer) {
      if (optimizerParams !== undefined && optimizerParams !== null && Object.keys(optimizerParams).length > 0) {
        throw new TypeError('Trainer: optimizerParams must be left out when optimizer is an Optimizer instance instead of a name');
      }
      this._optimizer = optimizer;
      this._optimizer.paramDict = new Map(Object.entries(paramDict));
    } else if (typeof optimizer === 'string') {
      this._optimizer = create(optimizer, { ...(optimizerParams ?? {}), paramDict });
    } else {
      throw new TypeError(`Trainer: optimizer must be an Optimizer or its name, got ${describe(optimizer)}`);
    }
    this._scale = this._optimizer.rescaleGrad;
  }

  get optimizer(): Optimizer {
    return this._optimizer;
  }

  /** The optimizer's current learning rate. */
  get learningRate(): number {
    return this._optimizer.learningRate;
  }

  setLearningRate(lr: number): void {
    this._optimizer.setLearningRate(lr);
  }

  /**
   * One update of every parameter from the gradients of the last backward, each gradient
   * scaled by 1 / batchSize (set batchSize to 1 when the loss is already a mean).
   */
  step(batchSize: number, opts: StepOptions = {}): void {
    this.setBatchSize(batchSize, 'step');
    this.updateParams(readOptions('Trainer.step', opts, STEP_OPTIONS) as StepOptions);
  }

  /** MXNet's allreduce_grads: gradients of one device need no reduction. */
  allreduceGrads(): void {}

  /** step() without the reduction, for gradients transformed in between (e.g. clipped). */
  update(batchSize: number, opts: StepOptions = {}): void {
    this.setBatchSize(batchSize, 'update');
    this.updateParams(readOptions('Trainer.update', opts, STEP_OPTIONS) as StepOptions);
  }

  /** Writes the optimizer's states and update counts to file (ndgrad's layout, see docs/gluon.md). */
  saveStates(file: string): void {
    const out: Record<string, NDArray> = {};
    for (const [i, state] of this._states) flatState(state).forEach((a, k) => (out[`state:${i}:${k}`] = a));
    for (const [i, arrays] of this._pending) arrays.forEach((a, k) => (out[`state:${i}:${k}`] = a));
    const counts = [...this._optimizer.indexUpdateCount].flatMap(([k, v]) => [Number(k), v]);
    out.num_update = array([this._optimizer.numUpdate], { dtype: 'float64' });
    if (counts.length > 0) out.index_update_count = array(counts, { dtype: 'float64' }).reshape([-1, 2]);
    save(file, out);
  }

  /** Reads what saveStates wrote; states of weights not updated yet apply at their first update. */
  loadStates(file: string): void {
    const loaded = loadDict(file);
    const byIndex = new Map<number, NDArray[]>();
    for (const [key, a] of Object.entries(loaded)) {
      const m = /^state:(\d+):(\d+)$/.exec(key);
      if (m === null) continue;
      const list = byIndex.get(Number(m[1])) ?? [];
      list[Number(m[2])] = a;
      byIndex.set(Number(m[1]), list);
    }
    if (loaded.num_update === undefined) throw new Error(`Trainer.loadStates: ${file} is not a trainer states file (no num_update)`);
    this._optimizer.numUpdate = loaded.num_update.asScalar();
    this._optimizer.indexUpdateCount.clear();
    const counts = loaded.index_update_count?.toArray() as number[][] | undefined;
    for (const [k, v] of counts ?? []) this._optimizer.indexUpdateCount.set(String(k), v);
    this._states.clear();
    this._pending.clear();
    for (const [i, arrays] of byIndex) this._pending.set(i, arrays);
  }

  private setBatchSize(batchSize: number, fn: string): void {
    if (typeof batchSize !== 'number' || !(batchSize > 0)) {
      throw new TypeError(`Trainer.${fn}: batchSize must be a positive number, got ${typeof batchSize === 'number' ? batchSize : describe(batchSize)}`);
    }
    this._optimizer.rescaleGrad = this._scale / batchSize;
  }

  private updateParams({ ignoreStaleGrad = false }: StepOptions): void {
    const todo: [number, NDArray, NDArray][] = [];
    this._params.forEach((param, i) => {
      if (param.gradReq === 'null') return;
      const weight = param.data();
      if (!weight.freshGrad) {
        if (ignoreStaleGrad) return;
        throw new Error(
          `Gradient of Parameter \`${param.name}\` on context cpu(0) has not been updated by backward since last \`step\`. ` +
            'This could mean a bug in your model that made it only use a subset of the Parameters (Blocks) for this ' +
            'iteration. If you are intentionally only using a subset, call step with ignoreStaleGrad=true to suppress ' +
            'this warning and skip updating of Parameters with stale gradient',
        );
      }
      todo.push([i, weight, param.grad()]);
    });
    // As MXNet's Updater: an optimizer with aggregateNum > 1 takes that many weights per call.
    const group = Math.max(1, this._optimizer.aggregateNum);
    for (let s = 0; s < todo.length; s += group) {
      const part = todo.slice(s, s + group);
      if (group === 1) {
        const [i, weight, grad] = part[0];
        this._optimizer.update(i, weight, grad, this.stateOf(i, weight));
      } else {
        (this._optimizer as AggregatingOptimizer).update(
          part.map(([i]) => i),
          part.map(([, w]) => w),
          part.map(([, , g]) => g),
          part.map(([i, w]) => this.stateOf(i, w)),
        );
      }
      for (const [, weight] of part) weight.freshGrad = false;
    }
  }

  /** The state of weight i, made on first use (and filled from loadStates when it read one). */
  private stateOf(i: number, weight: NDArray): OptimizerState {
    const have = this._states.get(i);
    if (have !== undefined) return have;
    // The state belongs to the trainer, not to an nd.tidy around the step that first needs it.
    const state = untracked(() => this._optimizer.createState(i, weight));
    const pending = this._pending.get(i);
    if (pending !== undefined) {
      const arrays = flatState(state);
      if (arrays.length !== pending.length || arrays.some((a, k) => pending[k] === undefined || a.shape.join() !== pending[k].shape.join())) {
        throw new Error(`Trainer.loadStates: the saved state of parameter ${this._params[i].name} does not match its optimizer's state`);
      }
      arrays.forEach((a, k) => pending[k].astype(a.dtype).copyTo(a));
      this._pending.delete(i);
    }
    this._states.set(i, state);
    return state;
  }
}
