// Options checked in JS (the functions whose options never reach a native op: nd.array, nd.eye,
// fullyConnected, backward), with the same rules and messages as the addon's field reader
// (native/core/ops/params.cc): unknown keys are TypeErrors naming the nearest known key, and MXNet's
// snake_case spellings are accepted.
import { describe } from './dispatch';

/** camelCase name -> other accepted spellings */
export type OptionNames = Readonly<Record<string, readonly string[]>>;

function folded(s: string): string {
  return s.replace(/_/g, '').toLowerCase();
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}

/** The TypeError for an unknown option, worded as the addon words it. */
export function unknownOption(fn: string, key: string, names: OptionNames): TypeError {
  const known = Object.keys(names);
  if (known.length === 0) return new TypeError(`${fn}: unknown option '${key}'; ${fn} takes no options`);
  let nearest = known[0];
  let best = Infinity;
  for (const name of known) {
    for (const spelling of [name, ...names[name]]) {
      const d = editDistance(folded(key), folded(spelling));
      if (d < best) {
        best = d;
        nearest = name;
      }
    }
  }
  return new TypeError(`${fn}: unknown option '${key}' (did you mean '${nearest}'?); known: ${known.join(', ')}`);
}

/** A number option: the value, or def when absent; anything else is a TypeError naming it. */
export function numberOption(fn: string, key: string, v: unknown, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${fn}: ${key} must be a number, got ${describe(v)}`);
  return v;
}

/**
 * The options object with every key under its camelCase name; throws for a value that is not a
 * plain object and for unknown keys.
 */
export function readOptions(fn: string, opts: unknown, names: OptionNames): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TypeError(`${fn}: options must be an object, got ${Array.isArray(opts) ? 'an Array' : typeof opts}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(opts)) {
    const name = Object.hasOwn(names, key) ? key : Object.keys(names).find((n) => names[n].includes(key));
    if (name === undefined) throw unknownOption(fn, key, names);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
