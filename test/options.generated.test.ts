// Tests generated from the ops' field tables (native.opSchema(), native/core/ops/params.h): for every
// option of every op, its MXNet spellings give the same result as its camelCase name, an unknown
// key is a TypeError naming the nearest known key, and a wrong-typed or out-of-range value is an
// error naming the op, the field and the value. A new op gets these tests from its table alone;
// one whose option has an alias also needs an entry in CALLS below, or this suite fails.
import type { FieldSchema, OpSchema } from '../binding';
import { nd, NDArray, random } from '../lib';
import { invoke, invokeMulti } from '../lib/core/dispatch';
import { native } from '../lib/core/native';

const SCHEMA: OpSchema[] = native.opSchema();

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The options of a call under their camelCase names (MXNet spellings folded). */
function camelOptions(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

/** x [1, 2, 4, 4] and a weight (and bias) that fit the options of a convolution-family call. */
function convInputs(deconv: boolean): (o: Record<string, unknown>) => NDArray[] {
  return (given) => {
    const o = camelOptions(given);
    const groups = o.numGroup as number;
    const filters = o.numFilter as number;
    const x = nd.arange(32).reshape([1, 2, 4, 4]).mul(0.1);
    const w = nd.arange((filters * 2 * 9) / groups).reshape(deconv ? [2, filters / groups, 3, 3] : [filters, 2 / groups, 3, 3]);
    return o.noBias === false ? [x, w, nd.arange(filters)] : [x, w];
  };
}

/**
 * Inputs and required options of one valid call, for the ops whose options have aliases (inputs
 * may depend on the call's options).
 */
const CALLS: Record<string, { inputs: (options: Record<string, unknown>) => NDArray[]; options?: Record<string, unknown> }> = {
  one_hot: { inputs: () => [nd.array([0, 2, 1])], options: { depth: 3 } },
  dot: { inputs: () => [nd.array([[1, 2], [3, 4]]), nd.array([[5, 6], [7, 9]])] },
  batch_dot: { inputs: () => [nd.arange(8).reshape([2, 2, 2]), nd.arange(8).reshape([2, 2, 2]).square()] },
  concat: { inputs: () => [nd.ones([2, 2]), nd.zeros([2, 2])] },
  stack: { inputs: () => [nd.ones([2, 2]), nd.zeros([2, 2])] },
  split: { inputs: () => [nd.arange(8).reshape([2, 4])], options: { numOutputs: 2 } },
  topk: { inputs: () => [nd.array([[3, 1, 2], [0, 5, 4]])] },
  sort: { inputs: () => [nd.array([[3, 1, 2], [0, 5, 4]])] },
  argsort: { inputs: () => [nd.array([[3, 1, 2], [0, 5, 4]])] },
  full: { inputs: () => [], options: { shape: [2, 2] } },
  dropout: { inputs: () => [nd.ones([4])] },
  ...updateCalls(),
  pooling: { inputs: () => [nd.arange(32).reshape([1, 2, 4, 4]).sin()], options: { kernel: [2, 2] } },
  pooling_grad: { inputs: () => [nd.ones([1, 2, 1, 1]), nd.arange(32).reshape([1, 2, 4, 4]).sin()], options: { kernel: [4, 4] } },
  pooling_select: { inputs: () => [nd.arange(32).reshape([1, 2, 4, 4]).sin(), nd.arange(32).reshape([1, 2, 4, 4])], options: { kernel: [2, 2] } },
  batch_norm: { inputs: () => [nd.arange(8).reshape([2, 2, 2]).sin(), nd.array([2, 3]), nd.array([1, -1]), nd.array([0.5, 0]), nd.array([2, 1])] },
  layer_norm: { inputs: () => [nd.arange(9).reshape([3, 3]).sin(), nd.array([2, 3, 1]), nd.array([1, -1, 0])] },
  group_norm: { inputs: () => [nd.arange(6).reshape([1, 2, 3]).sin(), nd.array([2, 3]), nd.array([1, -1])], options: { numGroups: 2 } },
  activation: { inputs: () => [nd.array([-1, 0.5, 2])] },
  leaky_relu: { inputs: () => [nd.array([-1, 0.5, 2])] },
  embedding: { inputs: () => [nd.array([0, 2, 1]), nd.ones([3, 2])], options: { inputDim: 3, outputDim: 2 } },
  embedding_grad: { inputs: () => [nd.ones([3, 2]), nd.array([0, 2, 1])], options: { inputDim: 3, outputDim: 2 } },
  sequence_mask: { inputs: () => [nd.ones([3, 2]), nd.array([1, 2])] },
  pad: { inputs: () => [nd.ones([1, 1, 2, 3])], options: { padWidth: [0, 0, 0, 0, 1, 1, 1, 1] } },
  pad_grad: { inputs: () => [nd.ones([1, 1, 4, 5])], options: { padWidth: [0, 0, 0, 0, 1, 1, 1, 1] } },
  up_sampling: { inputs: () => [nd.ones([1, 1, 2, 2])], options: { scale: 2 } },
  moments: { inputs: () => [nd.array([[1, 2, 4], [3, 5, 9]])] },
  linalg_gemm: { inputs: () => [nd.array([[1, 2], [3, 4]]), nd.array([[5, 6], [7, 9]]), nd.array([[1, 0], [2, 1]])] },
  linalg_gemm2: { inputs: () => [nd.array([[1, 2], [3, 4]]), nd.array([[5, 6], [7, 9]])] },
  convolution: { inputs: convInputs(false), options: { kernel: 3, numFilter: 2, numGroup: 1, noBias: true } },
  deconvolution: { inputs: convInputs(true), options: { kernel: 3, numFilter: 2, numGroup: 1 } },
  convolution_relu: { inputs: convInputs(false), options: { kernel: 3, numFilter: 2, numGroup: 1, noBias: true } },
  conv_weight_grad: {
    inputs: () => [nd.arange(32).reshape([1, 2, 4, 4]), nd.arange(8).reshape([1, 2, 2, 2])],
    options: { kernel: 3 },
  },
};

/** The fused optimizer updates: a weight, its gradient and states, and the required options. */
function updateCalls(): typeof CALLS {
  const arrays = (n: number) => () => Array.from({ length: n }, (_, i) => nd.array([0.5 + i, -0.25 * i, 0.75]));
  const lr = { lr: 0.1 };
  return {
    sgd_update: { inputs: arrays(2), options: lr },
    sgd_mom_update: { inputs: arrays(3), options: lr },
    nag_mom_update: { inputs: arrays(3), options: lr },
    adam_update: { inputs: arrays(4), options: lr },
    adamw_update: { inputs: arrays(4), options: lr },
    rmsprop_update: { inputs: arrays(3), options: lr },
    rmspropalex_update: { inputs: () => [...arrays(2)(), nd.array([4, 4, 4]), nd.array([1, 1, 1]), nd.zeros([3])], options: lr },
    adagrad_update: { inputs: arrays(3), options: lr },
    signsgd_update: { inputs: arrays(2), options: lr },
    signum_update: { inputs: arrays(3), options: lr },
    lamb_update_phase1: { inputs: arrays(4), options: { t: 1, wd: 0.1 } },
    lamb_update_phase2: { inputs: () => [...arrays(2)(), nd.array([2]), nd.array([3])], options: lr },
    ftrl_update: { inputs: arrays(4), options: lr },
    multi_sgd_update: { inputs: arrays(4), options: { lrs: [0.1, 0.2], wds: [0, 0.1] } },
    multi_sgd_mom_update: { inputs: arrays(6), options: { lrs: [0.1, 0.2], wds: [0, 0.1] } },
    multi_adamw_update: { inputs: arrays(8), options: { lrs: [0.1, 0.2], wds: [0, 0.1], etas: [1, 0.5] } },
  };
}

/** A value of the field other than its default where there is one, valid for the CALLS inputs. */
function sampleValue(op: string, f: FieldSchema): unknown {
  if (op === 'split' && f.name === 'numOutputs') return 4;
  if (op === 'split' && f.name === 'squeezeAxis') return false;
  if (f.name === 'numWeights') return 2; // the multi-tensor CALLS hold two weights
  if (f.name === 'lowerBound' || f.name === 'upperBound') return 2.5; // between the CALLS norms
  if (op.startsWith('embedding')) return f.name === 'inputDim' ? 3 : f.name === 'outputDim' ? 2 : false;
  if (op === 'sequence_mask' && f.name === 'useSequenceLength') return true;
  if (op.startsWith('pad') && f.name === 'padWidth') return [0, 0, 0, 0, 1, 0, 0, 1];
  if (op === 'up_sampling' && f.name === 'sampleType') return 'nearest';
  switch (f.type) {
    case 'bool':
      return !f.default;
    case 'enum':
    case 'dtype':
      return f.choices.find((c) => c !== f.default) ?? f.choices[0];
    case 'int':
      return typeof f.default === 'number' && (f.max === undefined || f.default + 1 <= f.max) ? f.default + 1 : 1;
    case 'float':
      return 0.25;
    case 'axis':
      return 0;
    default:
      return f.default ?? 1;
  }
}

function run(op: string, options: Record<string, unknown>): unknown {
  const call = CALLS[op];
  random.seed(7);
  const inputs = call.inputs({ ...call.options, ...camelOptions(options) });
  const out = invokeMulti(op, inputs, { ...call.options, ...options });
  // The inputs too: the optimizer updates write them instead of returning arrays.
  return [...out, ...inputs].map((x) => [x.dtype, x.toArray()]);
}

/** [a value of the wrong type, the text the error shows for it] and, for ranged fields, one out of range. */
function badValues(f: FieldSchema): [unknown, string, typeof TypeError | typeof RangeError][] {
  const out: [unknown, string, typeof TypeError | typeof RangeError][] = [];
  switch (f.type) {
    case 'bool':
      out.push([1, '1', TypeError]);
      break;
    case 'int':
    case 'axis':
      out.push([1.5, '1.5', TypeError], ['2', "'2'", TypeError]);
      break;
    case 'float':
      out.push(['x', "'x'", TypeError], [true, 'true', TypeError]);
      break;
    case 'enum':
    case 'dtype':
      out.push(['nope', "'nope'", TypeError], [0, '0', TypeError]);
      break;
    case 'int-list':
    case 'index-list':
    case 'axes':
    case 'shape':
      out.push(['x', "'x'", TypeError], [[0, 1.5], '1.5', TypeError]);
      break;
    case 'float-list':
      out.push(['x', "'x'", TypeError], [[0.5, 'a'], "'a'", TypeError]);
      break;
    case 'ignored':
      break;
  }
  if ((f.type === 'int' || f.type === 'float') && f.min !== undefined) {
    const v = f.minExclusive ? f.min : f.min - 1;
    out.push([v, String(v), RangeError]);
  }
  if ((f.type === 'int' || f.type === 'float') && f.max !== undefined) {
    const v = f.maxExclusive ? f.max : f.max + 1;
    out.push([v, String(v), RangeError]);
  }
  return out;
}

describe('every op has a field table the addon exports', () => {
  test('the schema lists every registry op once, with described, well-formed fields', () => {
    expect(SCHEMA.map((o) => o.name)).toEqual(native.opInfo().map((o) => o.name));
    for (const op of SCHEMA) {
      const names = op.fields.flatMap((f) => [f.name, ...f.aliases]);
      expect(new Set(names).size).toBe(names.length);
      for (const f of op.fields) {
        expect(f.description.length).toBeGreaterThan(0);
        expect(f.name).toMatch(/^[a-z][A-Za-z0-9]*$/);
        if (f.type === 'enum' || f.type === 'dtype') expect(f.choices.length).toBeGreaterThan(1);
        if (!f.required && (f.type === 'enum' || f.type === 'dtype') && !(f.nullable && f.default === null)) {
          expect(f.choices).toContain(f.default);
        }
      }
    }
  });
});

describe.each(SCHEMA.map((o) => [o.name, o] as const))('%s options', (op, schema) => {
  const known = schema.fields.map((f) => f.name).join(', ');

  test('an unknown key is a TypeError naming the nearest known key and listing the known ones', () => {
    if (schema.fields.length === 0) {
      expect(() => invoke(op, [], { foo: 1 })).toThrow(new RegExp(`^${escape(op)}: unknown option 'foo'; ${escape(op)} takes no options$`));
      return;
    }
    for (const f of schema.fields) {
      const key = `${f.name}2`;
      let err: unknown;
      try {
        invoke(op, [], { [key]: 1 });
      } catch (e) {
        err = e;
      }
      // (by name: the addon's errors come from another realm than the test's)
      expect((err as Error).name).toBe('TypeError');
      expect((err as Error).message).toBe(`${op}: unknown option '${key}' (did you mean '${f.name}'?); known: ${known}`);
    }
  });

  const fields = schema.fields.filter((f) => f.type !== 'ignored');
  if (fields.length > 0) {
    test.each(fields.map((f) => [f.name, f] as const))('%s: wrong types and out-of-range values name op, field and value', (_, f) => {
      for (const [value, text, kind] of badValues(f)) {
        for (const spelling of [f.name, ...f.aliases]) {
          let err: unknown;
          try {
            invoke(op, [], { [spelling]: value });
          } catch (e) {
            err = e;
          }
          expect((err as Error).name).toBe(kind.name);
          const message = (err as Error).message;
          expect(message.startsWith(`${op}: ${f.name}`)).toBe(true);
          expect(message).toContain(`got ${text}`);
        }
      }
    });
  }

  const aliased = schema.fields.filter((f) => f.aliases.length > 0);
  if (aliased.length > 0) {
    test.each(aliased.map((f) => [f.name, f] as const))('%s: every MXNet spelling gives what the camelCase name gives', (_, f) => {
      expect(CALLS[op]).toBeDefined();
      const value = sampleValue(op, f);
      const expected = f.type === 'ignored' ? run(op, {}) : run(op, { [f.name]: value });
      for (const alias of f.aliases) expect(run(op, { [alias]: value })).toEqual(expected);
    });
  }
});

describe('options checked in JS follow the same rules', () => {
  const x = nd.array([[1, 2], [3, 4]]);
  test.each([
    ['array', () => nd.array([1, 2], { dtyp: 'float64' } as never), "array: unknown option 'dtyp' (did you mean 'dtype'?); known: dtype, ctx, shape"],
    ['eye', () => nd.eye(2, { shape: [2] } as never), "eye: unknown option 'shape' (did you mean 'dtype'?); known: dtype, ctx"],
    ['fullyConnected', () => nd.fullyConnected(x, x, { numHiden: 2 } as never), "fullyConnected: unknown option 'numHiden' (did you mean 'numHidden'?); known: numHidden, noBias, flatten"],
    ['backward', () => x.backward({ retain: true } as never), "backward: unknown option 'retain' (did you mean 'retainGraph'?); known: retainGraph, trainMode"],
    ['zeros', () => nd.zeros([2], { dtpye: 'int32' } as never), "zeros: unknown option 'dtpye' (did you mean 'dtype'?); known: shape, dtype, ctx"],
    ['linspace', () => nd.linspace(0, 1, 3, { endPoint: false } as never), "linspace: unknown option 'endPoint' (did you mean 'endpoint'?)"],
    ['random.uniform', () => random.uniform({ lo: 0 } as never), "random_uniform: unknown option 'lo' (did you mean 'low'?)"],
  ])('%s rejects an unknown key', (_, call, message) => {
    expect(call).toThrow(message);
    try {
      call();
    } catch (e) {
      expect((e as Error).name).toBe('TypeError');
    }
  });

  test('MXNet spellings of JS-side options', () => {
    const w = nd.array([[1, 0], [0, 1], [1, 1]]);
    const b = nd.array([1, 2, 3]);
    expect(nd.fullyConnected(x, w, null, { no_bias: true, num_hidden: 3 } as never).toArray()).toEqual(
      nd.fullyConnected(x, w, null, { noBias: true, numHidden: 3 }).toArray(),
    );
    // Each spelling takes effect: no_bias against a given bias and num_hidden against the weight.
    expect(() => nd.fullyConnected(x, w, b, { no_bias: true } as never)).toThrow(/a bias was given with noBias true/);
    expect(() => nd.fullyConnected(x, w, b, { num_hidden: 4 } as never)).toThrow(/numHidden 4 does not match weight rows 3/);
  });

  test('creation functions take the shape in the options too', () => {
    expect(nd.zeros({ shape: [2, 3] }).shape).toEqual([2, 3]);
    expect(nd.ones({ shape: 2, dtype: 'int32' }).dtype).toBe('int32');
    expect(nd.empty({ shape: [1, 2] }).shape).toEqual([1, 2]);
    expect(nd.full({ shape: [2], value: 7 }).toArray()).toEqual([7, 7]);
    expect(nd.array(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] }).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(nd.array([1, 2, 3, 4], { shape: [2, 2], dtype: 'int32' }).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(() => nd.array(new Float32Array(6), { shape: [4, 2] })).toThrow(/reshape/);
    expect(() => invoke('zeros', [], { dtype: 'int32' })).toThrow("zeros: option 'shape' is required (the shape of the result)");
  });

  test('the reported wrong answers of issue 9 are errors or right answers now', () => {
    expect(nd.dot(x, x, { transpose_a: true } as never).toArray()).toEqual([[10, 14], [14, 20]]);
    expect(() => x.sum({ keepDims: true } as never)).toThrow("sum: unknown option 'keepDims' (did you mean 'keepdims'?); known: axis, keepdims");
    const both = x.topk({ k: 1, ret_typ: 'both' } as never) as unknown as NDArray[];
    expect(both.map((a) => a.toArray())).toEqual([[[2], [4]], [[1], [1]]]);
  });
});
