// The nd functions of the regular ops, generated from the op table (lib/core/ops.ts): the unary
// and binary math (`nd.exp(x)`, `nd.notEqual(a, 2)`), the reversed forms (`nd.rsub(x, s)` is
// s - x), the axis reductions (`nd.sum(x, opts)`) and the in-place writes (`nd.addInPlace(x, v)`).
import { axisOptions, binary, inPlace, invoke, type Operand, type OutOption, requireArray, unary } from '../core/dispatch';
import { AXIS_OPS, type AxisArg, BINARY, type Camel, camel, IN_PLACE, type OpName, REVERSED, UNARY } from '../core/ops';
import type { NDArray } from '../ndarray';

type Values<T> = T[keyof T];

export type MathFunctions = { [K in Values<typeof UNARY>]: (x: NDArray, opts?: OutOption) => NDArray } & {
  [K in Values<typeof BINARY> as Camel<K>]: (a: Operand, b: Operand, opts?: OutOption) => NDArray;
} & { [K in keyof typeof REVERSED]: (x: NDArray, s: number) => NDArray } & {
  [K in keyof typeof AXIS_OPS]: (x: NDArray, opts?: AxisArg<(typeof AXIS_OPS)[K]>) => NDArray;
} & { [K in keyof typeof IN_PLACE]: (x: NDArray, value: NDArray | number) => NDArray };

function build(): MathFunctions {
  const out: Record<string, unknown> = {};
  for (const op of Object.values(UNARY)) out[op] = unary(op);
  for (const op of Object.values(BINARY)) out[camel(op)] = binary(op);
  for (const [name, op] of Object.entries(REVERSED) as [string, OpName][]) {
    const call = binary(op);
    out[name] = (x: NDArray, s: number) => {
      requireArray(x, name, 'x');
      return call(s, x);
    };
  }
  for (const [name, op] of Object.entries(AXIS_OPS) as [string, OpName][]) {
    out[name] = (x: NDArray, opts?: unknown) => {
      requireArray(x, name, 'x');
      return invoke(op, [x], axisOptions(opts, name));
    };
  }
  for (const [name, op] of Object.entries(IN_PLACE) as [string, OpName][]) {
    const write = inPlace(op);
    out[name] = (x: NDArray, value: NDArray | number) => {
      requireArray(x, name, 'x');
      return write(x, value);
    };
  }
  return out as MathFunctions;
}

export const math: MathFunctions = build();
