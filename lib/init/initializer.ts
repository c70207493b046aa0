// mx.init's base class: MXNet 1.x's Initializer with its name-suffix rule, and create() for the
// names MXNet registers ('zeros', 'xavier', ...).
import { describe } from '../core/dispatch';
import type { NDArray } from '../ndarray';

/**
 * Fills arrays in place. Subclasses override initWeight; initByName applies MXNet's suffix rule
 * (weight -> initWeight, bias/beta/running_mean -> 0, gamma/running_var -> 1).
 */
export abstract class Initializer {
  /** Writes this initializer's values into arr (MXNet `_init_weight`); name is for messages. */
  abstract initWeight(name: string, arr: NDArray): void;

  /**
   * MXNet's name-suffix rule. A name matching no rule is treated as a weight, as Gluon does
   * (it hands every parameter without an initializer of its own to the global one's weight rule).
   */
  initByName(name: string, arr: NDArray): void {
    const rule = SUFFIX_RULES.find(([suffix]) => name.endsWith(suffix));
    if (rule === undefined || rule[1] === 'weight') this.initWeight(name, arr);
    else arr.set(rule[1]);
  }

  /** MXNet's repr: the class name and its arguments, e.g. ["xavier", {"magnitude": 3}]. */
  dumps(): string {
    return JSON.stringify([this.constructor.name.toLowerCase(), { ...this }]);
  }
}

/** MXNet's Initializer.__call__ and _legacy_init suffixes, first match wins ('weight' = the initializer). */
const SUFFIX_RULES: readonly [string, number | 'weight'][] = [
  ['weight', 'weight'],
  ['bias', 0],
  ['gamma', 1],
  ['beta', 0],
  ['running_mean', 0],
  ['running_var', 1],
  ['moving_mean', 0],
  ['moving_var', 1],
  ['moving_inv_var', 0],
  ['moving_avg', 0],
  ['min', 0],
  ['max', 1],
];

/** An initializer or the name MXNet registers it under ('zeros', 'ones', 'xavier', 'uniform', ...). */
export type InitLike = Initializer | string;

const REGISTRY = new Map<string, () => Initializer>();

/** @internal Registers a class under its lower-case name and MXNet's aliases. */
export function register(make: () => Initializer, ...names: string[]): void {
  for (const n of names) REGISTRY.set(n, make);
}

/** MXNet's init.create: an Initializer as is, or a registered name with default arguments. */
export function create(init: InitLike, fn = 'init.create'): Initializer {
  if (init instanceof Initializer) return init;
  if (typeof init === 'string') {
    const make = REGISTRY.get(init.toLowerCase());
    if (make) return make();
    throw new RangeError(`${fn}: unknown initializer '${init}'; known: ${[...REGISTRY.keys()].join(', ')}`);
  }
  throw new TypeError(`${fn}: init must be an Initializer or its name, got ${describe(init)}`);
}
