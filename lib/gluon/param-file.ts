// Block.saveParameters / loadParameters: MXNet 1.x's save_parameters and load_parameters on
// the NDArray file format (nd.save / nd.load), structural names ('0.weight') or the legacy
// prefixed names of save_params and export ('dense0_weight', 'arg:dense0_weight').
import { readOptions } from '../core/options';
import { loadDict, save } from '../io/files';
import type { NDArray } from '../ndarray';
import type { Block } from './block';
import { briefList, stripArgAux } from './parameter-dict';

export interface LoadParametersOptions {
  /** Leave parameters that the file lacks as they are (else: an error naming them). */
  allowMissing?: boolean;
  /** Skip names in the file that the block lacks (else: an error naming them). */
  ignoreExtra?: boolean;
  /** The device (only mx.cpu() in this build). */
  ctx?: unknown;
}

export function saveParameters(block: Block, file: string): void {
  const out: Record<string, NDArray> = {};
  for (const [key, p] of block.collectParamsWithPrefix()) out[key] = p.data();
  save(file, out);
}

export function loadParameters(block: Block, file: string, opts: LoadParametersOptions): void {
  const o = readOptions('loadParameters', opts, { allowMissing: ['allow_missing'], ignoreExtra: ['ignore_extra'], ctx: [] }) as LoadParametersOptions;
  const loaded = loadDict(file);
  try {
    const params = block.collectParamsWithPrefix();
    const keys = Object.keys(loaded);
    if (keys.length === 0 && params.size === 0) return;
    if (!keys.some((k) => k.includes('.'))) {
      loadLegacy(block, loaded, file, o);
      return;
    }
    if (!o.allowMissing) {
      // A shared parameter is stored once, under any one of its structural names.
      const aliases = new Map<unknown, string[]>();
      for (const [k, p] of params) aliases.set(p, [...(aliases.get(p) ?? []), k]);
      for (const [name, p] of params) {
        if (!aliases.get(p)!.some((k) => k in loaded)) {
          throw new Error(`Parameter '${name}' is missing in file '${file}', which contains parameters: ${briefList(keys)}. Set allow_missing=True to ignore missing parameters.`);
        }
      }
    }
    for (const name of keys) {
      const p = params.get(name);
      if (p !== undefined) p.loadInit(loaded[name], `file '${file}'`);
      else if (!o.ignoreExtra) {
        throw new Error(
          `Parameter '${name}' loaded from file '${file}' is not present in ParameterDict, which contains parameters ${briefList(params.keys())}. Set ignore_extra=True to ignore. `,
        );
      }
    }
  } finally {
    for (const v of Object.values(loaded)) v.dispose();
  }
}

/**
 * Files of full parameter names: save_params strips the block's prefix, export keeps the whole
 * name behind `arg:`/`aux:`. MXNet restores the prefix; a name that is already a full name of
 * this block is taken as is, so export files load too.
 */
function loadLegacy(block: Block, loaded: Record<string, NDArray>, file: string, o: LoadParametersOptions): void {
  const dict = block.collectParams();
  const args = new Map<string, NDArray>();
  for (const [k, v] of stripArgAux(loaded)) args.set(dict.has(k) ? k : block.prefix + k, v as NDArray);
  dict.loadFrom(args, `file: ${file}`, Boolean(o.allowMissing), Boolean(o.ignoreExtra));
}
