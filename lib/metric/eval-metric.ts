// MXNet 1.9's EvalMetric: a running sum and count (local, and global for getGlobal) per metric.
// Metrics reduce each batch with nd ops in float64 and keep the sums as JS numbers.
import { describe } from '../core/dispatch';
import { readOptions, type OptionNames } from '../core/options';
import { NDArray } from '../ndarray';

export interface MetricOptions {
  /** the name get() reports */
  name?: string;
}

export type Arrays = NDArray | NDArray[];

/** MXNet's check_label_shapes(labels, preds, wrap=True): lists of as many labels as predictions. */
export function pairs(labels: Arrays, preds: Arrays, where: string): [NDArray, NDArray][] {
  const ls = labels instanceof NDArray ? [labels] : labels;
  const ps = preds instanceof NDArray ? [preds] : preds;
  if (!Array.isArray(ls) || !Array.isArray(ps)) {
    throw new TypeError(`${where}.update: labels and preds must be NDArrays or arrays of NDArrays, got ${describe(labels)} and ${describe(preds)}`);
  }
  if (ls.length !== ps.length) throw new RangeError(`${where}.update: ${ls.length} label arrays but ${ps.length} prediction arrays`);
  ls.forEach((l, k) => {
    if (!(l instanceof NDArray) || !(ps[k] instanceof NDArray)) {
      throw new TypeError(`${where}.update: labels[${k}] and preds[${k}] must be NDArrays, got ${describe(l)} and ${describe(ps[k])}`);
    }
  });
  return ls.map((l, k) => [l, ps[k]]);
}

export function readMetricOptions<T extends MetricOptions>(where: string, opts: unknown, names: OptionNames, defaultName: string): T & { name: string } {
  const o = readOptions(where, opts, { name: [], ...names }) as T;
  if (o.name !== undefined && typeof o.name !== 'string') throw new TypeError(`${where}: name must be a string, got ${describe(o.name)}`);
  return { ...o, name: o.name ?? defaultName };
}

export type Average = 'macro' | 'micro';

/** Options of F1 and PearsonCorrelation: 'macro' averages per-update values, 'micro' pools the updates. */
export function readAverageOptions(where: string, opts: unknown, defaultName: string): { name: string; average: Average } {
  const o = readMetricOptions<MetricOptions & { average?: Average }>(where, opts, { average: [] }, defaultName);
  if (o.average !== undefined && o.average !== 'macro' && o.average !== 'micro') {
    throw new RangeError(`${where}: average must be 'macro' or 'micro', got ${String(o.average)}`);
  }
  return { name: o.name, average: o.average ?? 'macro' };
}

export abstract class EvalMetric {
  name: string;
  sumMetric = 0;
  numInst = 0;
  globalSumMetric = 0;
  globalNumInst = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Adds one batch: labels and predictions, single arrays or lists of them. */
  abstract update(labels: Arrays, preds: Arrays): void;

  /** Adds to the local and global sums. */
  protected accumulate(sum: number, num: number): void {
    this.sumMetric += sum;
    this.globalSumMetric += sum;
    this.numInst += num;
    this.globalNumInst += num;
  }

  reset(): void {
    this.resetLocal();
    this.globalNumInst = 0;
    this.globalSumMetric = 0;
  }

  /** Clears the local sums only (getGlobal keeps counting). */
  resetLocal(): void {
    this.numInst = 0;
    this.sumMetric = 0;
  }

  /** [name, value]; NaN before any update. */
  get(): [string, number] | [string[], number[]] {
    return [this.name, this.numInst === 0 ? NaN : this.sumMetric / this.numInst];
  }

  /** As get(), over everything since the last reset() (resetLocal() does not clear it). */
  getGlobal(): [string, number] | [string[], number[]] {
    return [this.name, this.globalNumInst === 0 ? NaN : this.globalSumMetric / this.globalNumInst];
  }

  /** [[name, value], ...] */
  getNameValue(): [string, number][] {
    return zipNameValue(this.get());
  }

  getGlobalNameValue(): [string, number][] {
    return zipNameValue(this.getGlobal());
  }

  toString(): string {
    return `EvalMetric: {${this.getNameValue().map(([n, v]) => `'${n}': ${v}`).join(', ')}}`;
  }
}

function zipNameValue([name, value]: [string, number] | [string[], number[]]): [string, number][] {
  if (Array.isArray(name)) return name.map((n, k) => [n, (value as number[])[k]]);
  return [[name, value as number]];
}
