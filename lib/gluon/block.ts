// gluon.Block and gluon.HybridBlock: MXNet 1.x's container of parameters and child blocks, with
// its prefixes (dense0_), structural names (0.weight) and parameter files.
import type { DType } from '../core/dtype';
import { type Aliased, applyAliases } from '../core/aliases';
import { readOptions } from '../core/options';
import { nd } from '../nd-namespace';
import type { InitLike } from '../init/initializer';
import { Uniform } from '../init/random-inits';
import { blockPrefix, withScope } from './name-scope';
import { Parameter } from './parameter';
import { ParameterDict, selectMatcher } from './parameter-dict';
import { loadParameters, type LoadParametersOptions, saveParameters } from './param-file';

export interface BlockOptions {
  /** The prefix of this block's parameter names (default: the type's name and a counter, `dense0_`). */
  prefix?: string;
  /** Share these parameters (MXNet's `params=other.collect_params()`). */
  params?: ParameterDict;
}

export const BLOCK_OPTIONS = { prefix: [], params: [] };

/** Indents every line after the first (MXNet's _indent for nested reprs). */
function indent(s: string, n: number): string {
  return s.split('\n').join(`\n${' '.repeat(n)}`);
}

/**
 * The base of every layer and model: override forward(...inputs). Child blocks and parameters
 * are registered by assigning them to fields (`this.dense = new nn.Dense(10)`,
 * `this.weight = this.params.get('weight', { shape })`) or with registerChild.
 */
export class Block {
  readonly prefix: string;
  readonly name: string;
  /** This block's own parameters (not its children's; see collectParams). */
  readonly params: ParameterDict;
  /** @internal counters of the prefixes handed out inside this block's nameScope */
  readonly scopeCounts = new Map<string, number>();
  private readonly _children = new Map<string, Block>();
  private readonly _regParams = new Map<string, Parameter>();

  constructor(opts: BlockOptions = {}) {
    const o = readOptions(new.target.name, opts, BLOCK_OPTIONS) as BlockOptions;
    const { prefix, parent } = blockPrefix(o.prefix, this.alias());
    this.prefix = prefix;
    this.name = prefix.endsWith('_') ? prefix.slice(0, -1) : prefix;
    if (o.params !== undefined) this.params = new ParameterDict(o.params.prefix, o.params);
    else if (parent instanceof Block) this.params = new ParameterDict(parent.params.prefix + prefix.slice(parent.prefix.length), parent.params.shared);
    else this.params = new ParameterDict(prefix);
    for (const k of ['scopeCounts', '_children', '_regParams']) Object.defineProperty(this, k, { enumerable: false });
  }

  /** The type's name in prefixes (MXNet _alias): the class name in lower case. */
  protected alias(): string {
    return this.constructor.name.toLowerCase();
  }

  /** Registers the blocks and parameters held in fields, in field order (MXNet's __setattr__). */
  private syncFields(): void {
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Block) this._children.set(k, v);
      else if (v instanceof Parameter) this._regParams.set(k, v);
    }
  }

  /** @internal The parameters held in this block's fields, by field name. */
  registeredParams(): Map<string, Parameter> {
    this.syncFields();
    return this._regParams;
  }

  /** Registers a child block under name (default: its position, as Sequential.add does). */
  registerChild(block: Block, name?: string): void {
    if (!(block instanceof Block)) throw new TypeError(`${this.constructor.name}.registerChild: block must be a Block`);
    this.syncFields();
    this._children.set(name ?? String(this._children.size), block);
  }

  /** The child blocks by registration name. */
  get children(): Map<string, Block> {
    this.syncFields();
    return new Map(this._children);
  }

  /** Runs fn with this block's scope open: blocks created inside get prefixes under this one's. */
  nameScope<T>(fn: () => T): T {
    return withScope(this, fn);
  }

  toString(): string {
    const lines = [...this.children].map(([key, block]) => `  (${key}): ${indent(block.toString(), 2)}`);
    return `${this.constructor.name}(\n${lines.join('\n')}\n)`;
  }

  /**
   * This block's and its descendants' parameters, keyed by full name (dense0_weight); select is
   * MXNet's regular expression matched at the start of each name ('.*weight|.*bias').
   */
  collectParams(select?: string): ParameterDict {
    const matches = selectMatcher(select, 'collectParams');
    const out = new ParameterDict(this.params.prefix);
    for (const [name, p] of this.params) if (matches(name)) out.add(name, p);
    for (const child of this.children.values()) out.update(child.collectParams(select));
    return out;
  }

  /** @internal The parameters by structural name ('0.weight', 'features.3.bias'), as files store them. */
  collectParamsWithPrefix(prefix = ''): Map<string, Parameter> {
    const dot = prefix ? `${prefix}.` : '';
    const out = new Map<string, Parameter>();
    for (const [k, p] of this.registeredParams()) out.set(dot + k, p);
    for (const [name, child] of this._children) for (const [k, p] of child.collectParamsWithPrefix(dot + name)) out.set(k, p);
    return out;
  }

  /** Initializes every parameter of this block and its descendants (init default Uniform()). */
  initialize(init: InitLike = new Uniform(), opts: { forceReinit?: boolean; ctx?: unknown; verbose?: boolean } = {}): void {
    this.collectParams().initialize(init, opts);
  }

  /** Converts every parameter to dtype (MXNet Block.cast). */
  cast(dtype: DType): void {
    for (const p of this.collectParams().values()) p.cast(dtype);
  }

  /** Calls fn on every descendant, then on this block (MXNet Block.apply). */
  apply(fn: (block: Block) => void): this {
    for (const child of this.children.values()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Kept for MXNet code: the computation is imperative whether or not a block is hybridized. */
  hybridize(_active = true, _opts: Record<string, unknown> = {}): void {
    for (const child of this.children.values()) child.hybridize(_active, _opts);
  }

  /** Writes the parameters in MXNet's NDArray file format under structural names ('0.weight'). */
  saveParameters(file: string): void {
    saveParameters(this, file);
  }

  /** Reads parameters saved by saveParameters or MXNet (structural names, or legacy prefixed `arg:`/`aux:` names). */
  loadParameters(file: string, opts: LoadParametersOptions = {}): void {
    loadParameters(this, file, opts);
  }

  // Subclasses narrow the signature; `any` lets a container call any child.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(..._inputs: any[]): any {
    throw new Error(`${this.constructor.name}.forward is not implemented: subclasses of Block override forward(...inputs)`);
  }
}

/** A Block that MXNet could compile with hybridize(); here identical to Block, hybridize() changes nothing. */
export class HybridBlock extends Block {
  protected readonly hybrid = true;

  /**
   * MXNet's way of writing a HybridBlock: override hybridForward(F, ...inputs, params) instead of
   * forward; F is the nd namespace and params holds the data of the parameters assigned to fields,
   * by field name (MXNet passes them as keyword arguments).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(...inputs: any[]): any {
    if (this.hybridForward === HybridBlock.prototype.hybridForward) return super.forward(...inputs);
    const params = Object.fromEntries([...this.registeredParams()].map(([k, p]) => [k, p.data()]));
    return this.hybridForward(nd, ...inputs, params);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  hybridForward(_F: typeof nd, ..._inputs: any[]): any {
    throw new Error(`${this.constructor.name}.hybridForward is not implemented`);
  }

  // HybridSequential extends Sequential (one implementation) yet is a HybridBlock in MXNet.
  static [Symbol.hasInstance](x: unknown): boolean {
    if (this !== HybridBlock) return Function.prototype[Symbol.hasInstance].call(this, x);
    return x instanceof Block && (x as unknown as { hybrid?: boolean }).hybrid === true;
  }
}

/** MXNet's snake_case method names. */
export const BLOCK_ALIASES = {
  collect_params: 'collectParams',
  save_parameters: 'saveParameters',
  load_parameters: 'loadParameters',
  name_scope: 'nameScope',
  register_child: 'registerChild',
} as const;

export interface Block extends Aliased<Block, typeof BLOCK_ALIASES> {}
applyAliases(Block.prototype, BLOCK_ALIASES);
