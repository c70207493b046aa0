// Loads the compiled addon: a prebuild from prebuilds/<platform>-<arch>/ or a local build.
import * as path from 'path';
import type { Binding } from '../binding';

function load(): Binding {
  const root = path.join(__dirname, '..');
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
        '  - Node.js >= 18.17 is required (Node-API version 8).',
    );
  }
}

export const native: Binding = load();

/** Op ids by registry name, read once from the addon. */
export const OP: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(native.opInfo().map((o, i) => [o.name, i])),
);

export function opId(name: string): number {
  const id = OP[name];
  if (id === undefined) throw new Error(`ndgrad: the native registry has no op '${name}'`);
  return id;
}
