// gluon.ParameterDict: parameters by full name (prefix + name), MXNet 1.x semantics.
import { describe } from '../core/dispatch';
import { type Aliased, applyAliases } from '../core/aliases';
import { readOptions } from '../core/options';
import type { InitLike } from '../init/initializer';
import { Uniform } from '../init/random-inits';
import { loadDict, save } from '../io/files';
import { Parameter, PARAMETER_OPTIONS, type ParameterOptions } from './parameter';

/** MXNet's select: a regular expression that must match at the start of the name (re.match). */
export function selectMatcher(select: string | undefined, fn: string): (name: string) => boolean {
  if (select === undefined || select === null) return () => true;
  if (typeof select !== 'string') throw new TypeError(`${fn}: select must be a regular expression string, got ${describe(select)}`);
  const re = new RegExp(select, 'y');
  return (name) => {
    re.lastIndex = 0;
    return re.test(name);
  };
}

/** MXNet's _brief_print_list: the first and last few names of a long list. */
export function briefList(names: Iterable<string>, limit = 7): string {
  const list = [...names].map((n) => `'${n}'`);
  if (list.length > limit) return `${list.slice(0, limit / 2).join(', ')}, ..., ${list.slice(-limit / 2).join(', ')}`;
  return list.join(', ');
}

/** The keys of a parameter file with MXNet's `arg:` / `aux:` prefixes removed. */
export function stripArgAux(loaded: Record<string, unknown>): [string, unknown][] {
  return Object.entries(loaded).map(([k, v]) => [k.startsWith('arg:') || k.startsWith('aux:') ? k.slice(4) : k, v]);
}

export class ParameterDict {
  readonly prefix: string;
  private readonly _params = new Map<string, Parameter>();
  /** @internal The dict parameters are looked up in before new ones are made (MXNet's `shared`). */
  readonly shared: ParameterDict | undefined;

  constructor(prefix = '', shared?: ParameterDict) {
    this.prefix = prefix;
    this.shared = shared;
  }

  toString(): string {
    const body = [...this._params.values()].map((p) => `  ${p}`).join('\n');
    return `${this.prefix ? `${this.prefix} ` : ''}(\n${body}\n)`;
  }

  get size(): number {
    return this._params.size;
  }

  keys(): string[] {
    return [...this._params.keys()];
  }

  values(): Parameter[] {
    return [...this._params.values()];
  }

  items(): [string, Parameter][] {
    return [...this._params.entries()];
  }

  has(name: string): boolean {
    return this._params.has(name);
  }

  [Symbol.iterator](): IterableIterator<[string, Parameter]> {
    return this._params.entries();
  }

  /** The parameter with this full name (prefix included), or undefined. */
  at(name: string): Parameter | undefined {
    return this._params.get(name);
  }

  /**
   * The parameter prefix + name: from this dict, or the shared one, or created with opts. An
   * existing parameter must agree with opts (a 0 in either shape is filled by the other).
   */
  get(name: string, opts: ParameterOptions = {}): Parameter {
    const full = this.prefix + name;
    const o = readOptions('ParameterDict.get', opts, PARAMETER_OPTIONS) as ParameterOptions & Record<string, unknown>;
    let param = this._params.get(full) ?? this.shared?._params.get(full);
    if (param === undefined) {
      param = new Parameter(full, o);
      this._params.set(full, param);
      return param;
    }
    this._params.set(full, param);
    for (const [k, v] of Object.entries(o)) {
      const existing = (param as unknown as Record<string, unknown>)[k];
      if (existing === undefined || existing === null) {
        (param as unknown as Record<string, unknown>)[k] = v;
        continue;
      }
      if (k === 'shape' && param.mergeShape(v as number | number[])) continue;
      if (v !== existing) {
        throw new Error(
          `Cannot retrieve Parameter '${full}' because desired attribute does not match with stored for attribute '${k}': ` +
            `desired '${JSON.stringify(v)}' vs stored '${JSON.stringify(existing)}'.`,
        );
      }
    }
    return param;
  }

  /** @internal Adds one parameter under name; a name bound to another parameter is an error. */
  add(name: string, p: Parameter): void {
    const mine = this._params.get(name);
    if (mine !== undefined && mine !== p) {
      throw new Error(`Cannot update self with other because they have different Parameters with the same name '${name}'`);
    }
    this._params.set(name, p);
  }

  /** Adds the parameters of other (the same Parameter objects); a name bound to another parameter is an error. */
  update(other: ParameterDict): void {
    for (const [k, v] of other._params) this.add(k, v);
  }

  /** Initializes every parameter: its own initializer if it has one, else init (default Uniform()). */
  initialize(init: InitLike = new Uniform(), opts: { forceReinit?: boolean; ctx?: unknown; verbose?: boolean } = {}): void {
    const o = readOptions('ParameterDict.initialize', opts, { forceReinit: ['force_reinit'], ctx: [], verbose: [] }) as { forceReinit?: boolean };
    for (const p of this._params.values()) p.initialize(null, { defaultInit: init, forceReinit: o.forceReinit });
  }

  zeroGrad(): void {
    for (const p of this._params.values()) p.zeroGrad();
  }

  /** Sets an attribute on every parameter (MXNet setattr): `setattr('lrMult', 0.5)`, `setattr('gradReq', 'null')`. */
  setattr(name: string, value: unknown): void {
    const key = (readOptions('ParameterDict.setattr', { [name]: value }, { ...PARAMETER_OPTIONS, name: [] }) as Record<string, unknown>);
    const [attr] = Object.keys(key);
    if (attr === 'name' || attr === 'allowDeferredInit' || attr === 'differentiable') {
      throw new TypeError(`ParameterDict.setattr: '${name}' cannot be set`);
    }
    for (const p of this._params.values()) (p as unknown as Record<string, unknown>)[attr] = value;
  }

  /** Writes the parameters to an MXNet NDArray file keyed by name, with stripPrefix removed (MXNet ParameterDict.save). */
  save(file: string, stripPrefix = ''): void {
    const out: Record<string, ReturnType<Parameter['data']>> = {};
    for (const p of this._params.values()) {
      if (!p.name.startsWith(stripPrefix)) {
        throw new Error(`Prefix '${stripPrefix}' is to be striped before saving, but Parameter's name '${p.name}' does not start with '${stripPrefix}'. this may be due to your Block shares parameters from other Blocks or you forgot to use 'with name_scope()' when creating child blocks. For more info on naming, please see https://mxnet.io/api/python/docs/tutorials/packages/gluon/blocks/naming.html`);
      }
      out[p.name.slice(stripPrefix.length)] = p.data();
    }
    save(file, out);
  }

  /** Reads an MXNet NDArray file (`arg:`/`aux:` prefixes removed, restorePrefix prepended) into the parameters. */
  load(file: string, opts: { allowMissing?: boolean; ignoreExtra?: boolean; restorePrefix?: string; ctx?: unknown } = {}): void {
    const o = readOptions('ParameterDict.load', opts, { allowMissing: ['allow_missing'], ignoreExtra: ['ignore_extra'], restorePrefix: ['restore_prefix'], ctx: [] }) as {
      allowMissing?: boolean;
      ignoreExtra?: boolean;
      restorePrefix?: string;
    };
    const restore = o.restorePrefix ?? '';
    for (const name of this._params.keys()) {
      if (!name.startsWith(restore)) {
        throw new Error(`restore_prefix is '${restore}' but Parameters name '${name}' does not start with '${restore}'`);
      }
    }
    const loaded = loadDict(file);
    const args = new Map(stripArgAux(loaded).map(([k, v]) => [restore + k, v as ReturnType<Parameter['data']>]));
    this.loadFrom(args, `file: ${file}`, Boolean(o.allowMissing), Boolean(o.ignoreExtra), restore.length);
    for (const v of Object.values(loaded)) v.dispose();
  }

  /** @internal MXNet load_dict on names already resolved to this dict's keys. */
  loadFrom(args: Map<string, ReturnType<Parameter['data']>>, source: string, allowMissing: boolean, ignoreExtra: boolean, shown = 0): void {
    if (!allowMissing) {
      for (const name of this._params.keys()) {
        if (!args.has(name)) {
          throw new Error(
            `Parameter '${name.slice(shown)}' is missing in ${source}, which contains parameters: ${briefList(args.keys())}. ` +
              'Please make sure source and target networks have the same prefix.',
          );
        }
      }
    }
    for (const [name, value] of args) {
      const p = this._params.get(name);
      if (p === undefined) {
        if (ignoreExtra) continue;
        throw new Error(
          `Parameter '${name.slice(shown)}' loaded from ${source} is not present in ParameterDict, choices are: ${briefList(this._params.keys())}. ` +
            'Set ignore_extra to True to ignore. Please make sure source and target networks have the same prefix.',
        );
      }
      p.loadInit(value, source);
    }
  }
}

/** MXNet's snake_case method names. */
export const PARAMETER_DICT_ALIASES = {
  zero_grad: 'zeroGrad',
} as const;

export interface ParameterDict extends Aliased<ParameterDict, typeof PARAMETER_DICT_ALIASES> {}
applyAliases(ParameterDict.prototype, PARAMETER_DICT_ALIASES);
