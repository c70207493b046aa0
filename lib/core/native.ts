// Loads the compiled addon: a prebuild from prebuilds/<platform>-<arch>/ or a local build.
import * as path from 'path';
import type { Binding, Handle, PageToken } from '../../binding';

function load(): Binding {
  const root = path.join(__dirname, '..', '..');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return nodeGypBuild(root) as Binding;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `ndgrad: could not load the native addon (${reason}).\n` +
        'Possible fixes:\n' +
        '  - run `npm install` (or `npx cmake-js compile`) in the package folder to build it from source;\n' +
        '    this needs CMake >= 3.18 and a C++17 compiler;\n' +
        `  - check that a prebuild exists for ${process.platform}-${process.arch} under prebuilds/;\n` +
        '  - Node.js >= 20.12 is required.',
    );
  }
}

/**
 * The addon returns errors instead of throwing them (see guarded() in native/binding/guarded.h:
 * an exception thrown from native code can abort Node when a GC-time finalizer runs during its
 * rethrow); every method is wrapped here to throw what it returns.
 */
const toTag = Object.prototype.toString;

function throwing(raw: Binding): Binding {
  const out: Record<string, unknown> = {};
  const source = raw as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(source)) {
    const fn = source[key];
    if (typeof fn !== 'function') {
      out[key] = fn;
      continue;
    }
    // A fixed arity (no method takes more than eight arguments, backward the most with six;
    // missing ones read as undefined in the addon either way) keeps the wrapper cheap.
    const f = fn as (...a: unknown[]) => unknown;
    out[key] = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, g?: unknown, h?: unknown, i?: unknown): unknown => {
      const r = f.call(raw, a, b, c, d, e, g, h, i);
      // (by tag, not instanceof: the error comes from the addon's realm, which under a test
      // runner's vm context is not the caller's)
      if (isError(r)) throw r;
      return r;
    };
  }
  // The per-op hot path gets wrappers of its own, each calling one addon method at one call
  // site (a shared wrapper's call site would see every method and stay generic). The methods are
  // read from the addon object once: with some forty properties, V8 keeps it as a dictionary,
  // whose reads optimised code leaves to the generic LoadIC (about 70 instructions each). The
  // three ignore `this`.
  const { unary, binary, scalar, unaryCell, binaryCell, scalarCell, invoke, setModes } = raw;
  const check = (r: unknown): never => {
    throw r;
  };
  // (a page token, an empty object, has no message: only an error needs the slower test; V8
  // inlines this into each wrapper). The
  // addon takes a passed owner for an object without asking its type, so an absent one is left out.
  const result = (r: Handle | PageToken): Handle | PageToken =>
    typeof r === 'number' || (r as { message?: unknown }).message === undefined ? r : isError(r) ? check(r) : r;
  out.unary = (op: number, x: Handle, owner?: object): Handle | PageToken => {
    return result(owner === undefined ? unary(op, x) : unary(op, x, owner));
  };
  out.binary = (op: number, x: Handle, y: Handle, owner?: object): Handle | PageToken => {
    return result(owner === undefined ? binary(op, x, y) : binary(op, x, y, owner));
  };
  out.scalar = (op: number, x: Handle, v: number, owner?: object): Handle | PageToken => {
    return result(owner === undefined ? scalar(op, x, v) : scalar(op, x, v, owner));
  };
  out.unaryCell = (owner: object): Handle | PageToken => {
    return result(unaryCell(owner));
  };
  out.binaryCell = (owner: object): Handle | PageToken => {
    return result(binaryCell(owner));
  };
  out.scalarCell = (v: number, owner: object): Handle | PageToken => {
    return result(scalarCell(v, owner));
  };
  // (returns no errors: it reads one number and sets nothing for anything else)
  out.setModes = (modes: number): number => setModes(modes);
  // invoke takes five arguments: the shared wrapper's eight would make node-addon-api allocate
  // an argument list on the heap per call (it keeps six on the stack).
  out.invoke = ((op: number, inputs: Handle[], options?: unknown, owner?: object, into?: unknown) => {
    const r = invoke.call(raw, op, inputs, options as never, owner as never, into as never);
    if (isError(r)) throw r;
    return r;
  }) as Binding['invoke'];
  return out as unknown as Binding;
}

function isError(r: unknown): boolean {
  return typeof r === 'object' && r !== null && toTag.call(r) === '[object Error]';
}

export const native: Binding = throwing(load());
