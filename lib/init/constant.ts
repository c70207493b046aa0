// Initializers that write fixed values: Zero, One, Constant.
import type { NDArray } from '../ndarray';
import { Initializer, register } from './initializer';

export class Zero extends Initializer {
  initWeight(_name: string, arr: NDArray): void {
    arr.set(0);
  }
}

export class One extends Initializer {
  initWeight(_name: string, arr: NDArray): void {
    arr.set(1);
  }
}

/** Every element set to value (a number, or an NDArray broadcast to the parameter's shape). */
export class Constant extends Initializer {
  constructor(readonly value: number | NDArray) {
    super();
  }

  initWeight(_name: string, arr: NDArray): void {
    arr.set(this.value);
  }
}

register(() => new Zero(), 'zero', 'zeros');
register(() => new One(), 'one', 'ones');
