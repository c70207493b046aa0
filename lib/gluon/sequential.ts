// gluon.nn.Sequential and HybridSequential: children run one after another.
import type { NDArray } from '../ndarray';
import { Block, HybridBlock } from './block';

/** Stacks blocks; forward feeds each child's output to the next. Children are named '0', '1', ... */
export class Sequential extends Block {
  /** Appends blocks (MXNet Sequential.add). */
  add(...blocks: Block[]): this {
    for (const b of blocks) this.registerChild(b);
    return this;
  }

  forward(x: NDArray, ...rest: unknown[]): NDArray {
    for (const child of this.children.values()) {
      x = child.forward(x, ...rest);
      rest = [];
    }
    return x;
  }

  /** The i-th child (MXNet net[i]; negative counts from the end). */
  at(i: number): Block {
    const list = [...this.children.values()];
    const b = list[i < 0 ? list.length + i : i];
    if (b === undefined) throw new RangeError(`${this.constructor.name}.at: index ${i} is out of range for ${list.length} children`);
    return b;
  }

  get length(): number {
    return this.children.size;
  }
}

/** Sequential of hybridizable blocks (MXNet HybridSequential); `instanceof HybridBlock` holds for it. */
export class HybridSequential extends Sequential {
  protected readonly hybrid = true;
}
