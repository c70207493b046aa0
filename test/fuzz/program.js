// Random programs over ndgrad's public surface, as fast-check arbitraries of plain data that
// render to runnable JS. A program is a list of statements over four array slots (v[0] .. v[3]);
// each statement is rendered inside its own try/catch, because JS errors are the expected outcome
// of most random calls: only a process that dies (signal, abort, sanitizer report) is a finding.
'use strict';
const fc = require('fast-check');

const SLOTS = 4;

// Functions and methods are enumerated from the package itself, so new ones are fuzzed without
// editing this file. Names that only print or wait are left out; everything else is fair game.
function surface(mx) {
  const nd = mx.nd;
  const skip = new Set(['NDArray', 'tidy', 'memory', 'waitall', 'save', 'load', 'saveNpy', 'loadNpy']);
  const ndFns = Object.keys(nd).filter((k) => typeof nd[k] === 'function' && !skip.has(k)).sort();
  const methods = new Set();
  for (let p = mx.NDArray.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (k !== 'constructor' && !k.startsWith('_') && typeof d.value === 'function') methods.add(k);
    }
  }
  const getters = ['shape', 'size', 'ndim', 'dtype', 'grad', 'T', 'isDisposed', 'context'];
  const autogradFns = Object.keys(mx.autograd).filter((k) => typeof mx.autograd[k] === 'function' && !['Function', 'RecordingScope'].includes(k));
  return { ndFns, methods: [...methods].sort(), getters, randomFns: Object.keys(nd.random).sort(), autogradFns: autogradFns.sort() };
}

// ---- argument values -------------------------------------------------------------------------

const dim = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 5 }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 70 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, -2, -3, -4, 1.5, 2 ** 20, 2 ** 31, 2 ** 32 + 1, 2 ** 40, 2 ** 45, 2 ** 53) },
);
const shape = fc.array(dim, { minLength: 0, maxLength: 5 });
const number = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: -4, max: 8 }) },
  { weight: 3, arbitrary: fc.double({ noNaN: false }) },
  { weight: 2, arbitrary: fc.constantFrom(0.5, -0, NaN, Infinity, -Infinity, 255, 256, 2 ** 31, -(2 ** 31), 2 ** 53, 1e300) },
);
const dtype = fc.constantFrom('float32', 'float64', 'int32', 'uint8');
const OPTION_KEYS = [
  'axis', 'axes', 'keepdims', 'dtype', 'shape', 'begin', 'end', 'step', 'k', 'retTyp', 'isAscend', 'transposeA',
  'transposeB', 'squeezeAxis', 'dim', 'mode', 'p', 'numHidden', 'noBias', 'flatten', 'reverse', 'ord', 'low', 'high',
  'loc', 'scale', 'onValue', 'offValue', 'endpoint', 'retainGraph', 'createGraph', 'trainMode', 'gradReq', 'headGrads',
  'exclude', 'temperature', 'length', 'useLength', 'ctx',
];

const arg = fc.letrec((tie) => ({
  value: fc.oneof(
    { weight: 12, arbitrary: fc.record({ t: fc.constant('arr'), i: fc.nat(SLOTS - 1) }) },
    { weight: 10, arbitrary: fc.record({ t: fc.constant('num'), v: number }) },
    { weight: 5, arbitrary: fc.record({ t: fc.constant('shape'), v: shape }) },
    { weight: 5, arbitrary: fc.record({ t: fc.constant('opts'), v: fc.dictionary(fc.constantFrom(...OPTION_KEYS), tie('leaf'), { maxKeys: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('dtype'), v: dtype }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('str'), v: fc.constantFrom('write', 'add', 'null', 'clip', 'wrap', 'raise', 'both', 'indices', 'value', 'mask', '') }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('lit'), v: fc.constantFrom('null', 'undefined', 'true', 'false', '10n', '[]', '[[]]', '{}', 'Symbol()', '[v[0], v[1]]', '[v[2], null]') }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('typed'), v: fc.constantFrom('Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'Int16Array', 'BigInt64Array'), n: fc.nat(6), shared: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('nested'), v: fc.array(fc.array(number, { maxLength: 3 }), { maxLength: 3 }) }) },
  ),
  leaf: fc.oneof(
    fc.record({ t: fc.constant('num'), v: number }),
    fc.record({ t: fc.constant('shape'), v: shape }),
    fc.record({ t: fc.constant('dtype'), v: dtype }),
    fc.record({ t: fc.constant('lit'), v: fc.constantFrom('null', 'undefined', 'true', 'false', '"x"', '10n') }),
    fc.record({ t: fc.constant('arr'), i: fc.nat(SLOTS - 1) }),
  ),
})).value;
const args = fc.array(arg, { maxLength: 4 });

function renderArg(a) {
  switch (a.t) {
    case 'arr': return `v[${a.i}]`;
    case 'num': return Object.is(a.v, -0) ? '-0' : String(a.v);
    case 'shape': return `[${a.v.map(String).join(', ')}]`;
    case 'opts': return `{ ${Object.entries(a.v).map(([k, x]) => `${k}: ${renderArg(x)}`).join(', ')} }`;
    case 'dtype':
    case 'str': return JSON.stringify(a.v);
    case 'lit': return a.v;
    case 'typed': return a.shared ? `new ${a.v}(new SharedArrayBuffer(${a.n * 8}))` : `new ${a.v}(${a.n})`;
    case 'nested': return JSON.stringify(a.v).replace(/null/g, 'NaN');
    default: throw new Error(`unknown argument kind ${a.t}`);
  }
}
const renderArgs = (list) => list.map(renderArg).join(', ');

// ---- statements --------------------------------------------------------------------------------

function statementArb(names) {
  const slot = fc.nat(SLOTS - 1);
  const creators = ['zeros', 'ones', 'full', 'empty', 'arange', 'linspace', 'eye', 'array'];
  const fileKind = fc.constantFrom('params', 'npy');
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ s: fc.constant('create'), out: slot, fn: fc.constantFrom(...creators), shape, dtype, n: number }) },
    { weight: 3, arbitrary: fc.record({ s: fc.constant('random'), out: slot, fn: fc.constantFrom(...names.randomFns), args }) },
    { weight: 14, arbitrary: fc.record({ s: fc.constant('nd'), out: slot, fn: fc.constantFrom(...names.ndFns), args }) },
    { weight: 14, arbitrary: fc.record({ s: fc.constant('method'), out: slot, recv: slot, fn: fc.constantFrom(...names.methods), args }) },
    { weight: 2, arbitrary: fc.record({ s: fc.constant('get'), recv: slot, fn: fc.constantFrom(...names.getters) }) },
    { weight: 2, arbitrary: fc.record({ s: fc.constant('print'), recv: slot }) },
    { weight: 3, arbitrary: fc.record({ s: fc.constant('record'), out: slot, fn: fc.constantFrom(...names.ndFns), args, train: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ s: fc.constant('backward'), recv: slot, args }) },
    { weight: 1, arbitrary: fc.record({ s: fc.constant('grad'), a: slot, b: slot, createGraph: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ s: fc.constant('autograd'), out: slot, fn: fc.constantFrom(...names.autogradFns), args }) },
    { weight: 2, arbitrary: fc.record({ s: fc.constant('dispose'), recv: slot }) },
    { weight: 1, arbitrary: fc.record({ s: fc.constant('tidy'), out: slot, fn: fc.constantFrom(...names.ndFns), args }) },
    { weight: 2, arbitrary: fc.record({ s: fc.constant('save'), recv: slot, kind: fileKind, named: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ s: fc.constant('load'), out: slot, kind: fileKind }) },
    {
      weight: 2,
      arbitrary: fc.record({ s: fc.constant('corrupt'), kind: fileKind, at: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.nat(255), truncate: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ s: fc.constant('limit'), bytes: fc.constantFrom(null, 1, 64, 4096, 2 ** 20) }) },
  );
}

function statementSource(st) {
  const assign = (expr) => `v[${st.out}] = ${expr};`;
  switch (st.s) {
    case 'create':
      if (st.fn === 'arange') return assign(`nd.arange(${st.n}, { dtype: ${JSON.stringify(st.dtype)} })`);
      if (st.fn === 'linspace') return assign(`nd.linspace(0, ${st.n}, ${st.shape[0] ?? 0})`);
      if (st.fn === 'eye') return assign(`nd.eye(${st.shape[0] ?? 0}, ${st.shape[1] ?? 0}, ${st.shape[2] ?? 0}, { dtype: ${JSON.stringify(st.dtype)} })`);
      if (st.fn === 'array') return assign(`nd.array(${renderArg({ t: 'shape', v: st.shape })}, { dtype: ${JSON.stringify(st.dtype)} })`);
      if (st.fn === 'full') return assign(`nd.full(${renderArg({ t: 'shape', v: st.shape })}, ${st.n}, { dtype: ${JSON.stringify(st.dtype)} })`);
      return assign(`nd.${st.fn}(${renderArg({ t: 'shape', v: st.shape })}, { dtype: ${JSON.stringify(st.dtype)} })`);
    case 'random': return assign(`nd.random.${st.fn}(${renderArgs(st.args)})`);
    case 'nd': return assign(`nd.${st.fn}(${renderArgs(st.args)})`);
    case 'method': return assign(`v[${st.recv}].${st.fn}(${renderArgs(st.args)})`);
    case 'get': return `v[${st.recv}].${st.fn};`;
    case 'print': return `String(v[${st.recv}]);`;
    case 'record':
      return assign(`mx.autograd.record(() => nd.${st.fn}(${renderArgs(st.args)}), ${st.train})`);
    case 'backward': return `mx.autograd.backward(v[${st.recv}], ${renderArgs(st.args) || 'undefined'});`;
    case 'grad': return `mx.autograd.grad(v[${st.a}], v[${st.b}], { createGraph: ${st.createGraph}, retainGraph: true });`;
    case 'autograd': return assign(`mx.autograd.${st.fn}(${renderArgs(st.args)})`);
    case 'dispose': return `v[${st.recv}].dispose();`;
    case 'tidy': return assign(`nd.tidy(() => nd.${st.fn}(${renderArgs(st.args)}))`);
    case 'save':
      return st.kind === 'npy'
        ? `nd.saveNpy(file('npy'), v[${st.recv}]);`
        : `nd.save(file('params'), ${st.named ? `{ a: v[${st.recv}], b: v[${(st.recv + 1) % SLOTS}] }` : `[v[${st.recv}]]`});`;
    case 'load': {
      const expr = st.kind === 'npy' ? `nd.loadNpy(file('npy'))` : `nd.load(file('params'))`;
      return st.kind === 'npy' ? assign(expr) : assign(`Object.values(${expr})[0]`);
    }
    case 'corrupt':
      return `corrupt(file(${JSON.stringify(st.kind)}), ${st.at}, ${st.byte}, ${st.truncate});`;
    case 'limit': return `mx.setLimits({ maxArrayBytes: ${st.bytes} });`;
    default: throw new Error(`unknown statement ${st.s}`);
  }
}

/** The whole program as a standalone script: `node repro.js` from the package folder replays it. */
function programSource(statements, pkg = '.') {
  const body = statements.map((st) => `try { ${statementSource(st)} } catch (e) {}`).join('\n');
  return `'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const mx = require(${JSON.stringify(pkg)});
const { nd } = mx;
mx.random.seed(1);
const v = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-fuzz-'));
const file = (kind) => path.join(dir, 'f.' + kind);
function corrupt(f, at, byte, truncate) {
  const b = fs.readFileSync(f);
  const i = Math.floor(at * b.length);
  if (truncate) fs.writeFileSync(f, b.subarray(0, i));
  else if (b.length) { b[Math.min(i, b.length - 1)] = byte; fs.writeFileSync(f, b); }
}
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
${body}
`;
}

module.exports = { surface, statementArb, statementSource, programSource };
