// Every call form ../shared/API.md documents, written as a TypeScript user would write it against
// the published types (dist/*.d.ts). Type-checked with `tsc --noEmit` by test/package.test.ts; never
// run. The @ts-expect-error lines fail the check if the types stop rejecting what API.md rules out.
import mx, { autograd, Context, nd, NDArray, random, type DType } from '../../dist/index';
import { assertAlmostEqual, checkNumericGradient } from '../../dist/testing';
import '../../dist/jest';

// ## Package and entry points
const seeded: void = mx.random.seed(1);
nd.random.seed(2);
random.seed(3);
const ctx: Context = mx.cpu();
const ctx1: Context = mx.cpu(1);
const ctxText: string = ctx.toString();
const noGpu: never = mx.gpu();
const cls: typeof NDArray = mx.NDArray;

// ## dtypes and shapes
const dtypes: DType[] = ['float32', 'float64', 'int32', 'uint8'];
const x: NDArray = nd.array([[1, 2], [3, 4]], { dtype: 'float32', ctx: mx.cpu() });
const converted: NDArray = x.astype('int32');
const shape: number[] = x.shape;

// ## Creating arrays
const fromTyped: NDArray = nd.array(new Float32Array([1, 2]));
const fromArray: NDArray = nd.array(x, { dtype: 'float64' });
const fromNumber: NDArray = nd.array(5);
const creations: NDArray[] = [
  nd.zeros([2, 3]), nd.zeros(5, { dtype: 'uint8', ctx }), nd.ones(5), nd.ones([2], { dtype: 'int32' }),
  nd.full([2, 2], 7), nd.full(3, 1, { dtype: 'float64' }), nd.empty(3), nd.empty([1, 2], { ctx }),
  nd.zerosLike(x), nd.onesLike(x), nd.fullLike(x, 3), nd.zeros_like(x), nd.ones_like(x),
  nd.arange(4), nd.arange(1, 5), nd.arange(0, 1, 0.25), nd.arange(0, 4, 1, { dtype: 'int32' }),
  nd.arange(4, { dtype: 'int32' }), nd.arange(1, 4, { dtype: 'float64' }), nd.arange(3, undefined, undefined, { ctx }),
  nd.linspace(0, 1, 5), nd.linspace(0, 1, 5, { dtype: 'float64', endpoint: false }),
  nd.eye(3), nd.eye(2, 3), nd.eye(3, 3, 1), nd.eye(3, null, -1, { dtype: 'uint8' }), nd.eye(2, { dtype: 'int32' }),
  nd.random.uniform(), nd.random.uniform({ low: 0, high: 1, shape: [2, 2], dtype: 'float64', ctx }), nd.random.uniform({ shape: 1 }),
  nd.random.uniform(-1, 1, [2, 3]), nd.random.uniform(0, 1, 4),
  nd.random.normal(), nd.random.normal({ loc: 0, scale: 1, shape: 3 }), nd.random.normal(0, 2, [2]),
  nd.random.randint({ low: 0, high: 10, shape: [3] }), nd.random.randint(0, 10, 3), nd.random.shuffle(x),
  mx.random.uniform({ shape: [2] }),
];

// ## NDArray: properties, reading data, display
const size: number = x.size;
const ndim: number = x.ndim;
const dtype: DType = x.dtype;
const context: Context = x.context;
const grad: NDArray | null = x.grad;
const transposed: NDArray = x.T;
const disposed: boolean = x.isDisposed;
const nested = x.toArray();
const flat: Float32Array | Float64Array | Int32Array | Uint8Array = x.toTypedArray();
const scalar: number = nd.array([1]).asScalar();
const view: Float32Array | Float64Array | Int32Array | Uint8Array = x.dataView();
x.waitToRead();
x.wait_to_read();
const printed: string = x.toString();

// Arithmetic, unary, comparisons: methods and nd functions, numbers on either side.
const arithmetic: NDArray[] = [
  x.add(x), x.add(1), x.sub(1), x.mul(x), x.div(2), x.pow(2), x.mod(3), x.maximum(0), x.minimum(x),
  x.rsub(1), x.rdiv(1), x.rpow(2),
  nd.add(x, 1), nd.add(1, x), nd.subtract(1, x), nd.multiply(x, x), nd.divide(1, x), nd.power(2, x),
  nd.mod(x, 2), nd.maximum(0, x), nd.minimum(x, 1), nd.rsub(x, 1), nd.rdiv(x, 1), nd.rpow(x, 2),
  x.neg(), x.abs(), x.sign(), x.sqrt(), x.rsqrt(), x.square(), x.reciprocal(), x.exp(), x.expm1(), x.log(),
  x.log1p(), x.log2(), x.log10(), x.sin(), x.cos(), x.tan(), x.arcsin(), x.arccos(), x.arctan(), x.sinh(),
  x.cosh(), x.tanh(), x.sigmoid(), x.relu(), x.softsign(), x.floor(), x.ceil(), x.round(), x.trunc(),
  nd.neg(x), nd.negative(x), nd.exp(x), nd.relu(x), nd.round(x), nd.arccos(x), nd.softsign(x),
  x.equal(x), x.notEqual(1), x.greater(0), x.greaterEqual(x), x.lesser(1), x.lesserEqual(x),
  nd.equal(1, x), nd.notEqual(x, x), nd.greater(0, x), nd.greaterEqual(x, 1), nd.lesser(x, x), nd.lesserEqual(1, x),
  nd.not_equal(x, 1), nd.greater_equal(x, 1), nd.lesser_equal(x, 1), nd.broadcast_add(x, x),
  x.clip(0, 1), nd.clip(x, 0, 1), nd.where(x, x, x),
];

// Reductions: options object or axis number.
const reductions: NDArray[] = [
  x.sum(), x.sum(0), x.sum({ axis: 1 }), x.sum({ axis: [0, 1], keepdims: true }), nd.sum(x, { axis: 0 }), nd.sum(x, 1),
  x.mean({ keepdims: true }), x.prod(1), x.max({ axis: 0 }), x.min(), nd.mean(x), nd.prod(x), nd.max(x, 0), nd.min(x),
  x.norm(), x.norm({ ord: 1 }), x.norm({ ord: 2, axis: [0, 1], keepdims: false }), nd.norm(x, { axis: 1 }), nd.norm(x, 0),
  x.argmax(), x.argmax(1), x.argmin({ axis: 0 }), nd.argmax(x, { axis: 1, keepdims: true }), nd.argmin(x),
  nd.softmax(x), nd.softmax(x, { axis: 0 }), nd.logSoftmax(x), nd.logSoftmax(x, { axis: -1 }), nd.log_softmax(x),
  x.softmax(), x.logSoftmax({ axis: 0 }),
];

// Neural-network ops and their MXNet names.
const w = nd.ones([3, 2]);
const nn: NDArray[] = [
  nd.fullyConnected(x, w, nd.zeros(3), { numHidden: 3, noBias: false, flatten: true }),
  nd.fullyConnected(x, w), nd.fullyConnected(x, w, null, { numHidden: 3, noBias: true }),
  nd.fullyConnected(x, w, { numHidden: 3, noBias: true }), nd.FullyConnected(x, w, nd.zeros(3), { numHidden: 3 }),
  nd.dropout(x), nd.dropout(x, { p: 0.2 }), nd.Dropout(x, { p: 0.5 }),
  nd.relu(x), nd.sigmoid(x), nd.softmaxCrossEntropy(x, nd.array([0, 1])), nd.softmax_cross_entropy(x, nd.array([0, 1])),
];

// Linear algebra.
const products: NDArray[] = [
  nd.dot(x, x), nd.dot(x, x, { transposeA: true }), nd.dot(x, x, { transposeA: false, transposeB: true }),
  nd.batchDot(nd.ones([2, 2, 3]), nd.ones([2, 3, 4])), nd.batchDot(nd.ones([2, 2, 3]), nd.ones([2, 2, 3]), { transposeB: true }),
  nd.batch_dot(nd.ones([2, 2, 3]), nd.ones([2, 2, 3]), { transposeA: true }),
];

// Shape.
const shapes: NDArray[] = [
  x.reshape([4]), x.reshape([0, -1]), x.reshape(4, 1), nd.reshape(x, [-1]), x.transpose(), x.transpose([1, 0]),
  nd.transpose(x), x.expandDims(0), nd.expandDims(x, 1), nd.expand_dims(x, 1), x.expand_dims(0), x.squeeze(),
  x.squeeze(0), nd.squeeze(x, [0]), x.flatten(), nd.flatten(x), nd.Flatten(x), x.broadcastTo([2, 2, 2]),
  x.broadcast_to([2, 2]), nd.broadcastTo(x, [3, 2, 2]), nd.broadcast_to(x, [1, 2, 2]), x.tile(2), x.tile([2, 1]),
  nd.tile(x, [1, 2]), x.repeat(2), x.repeat(2, 1), nd.repeat(x, 3, 0), x.swapaxes(0, 1), nd.swapaxes(x, 0, 1),
  nd.concat(x, x), nd.concat(x, x, { dim: 0 }), nd.concat([x, x], { dim: 1 }), nd.stack([x, x]), nd.stack([x, x], { axis: 1 }),
];
const parts: NDArray[] = nd.split(x, 2);
const parts2: NDArray[] = nd.split(x, 2, { axis: 0, squeezeAxis: true });
const parts3: NDArray[] = x.split(1);

// Indexing.
const indexed: NDArray[] = [
  x.at(0), x.at(-1, 1), nd.at(x, 0), x.slice(0), x.slice(0, 1), x.slice(-1, null), nd.slice(x, 0, 1),
  nd.sliceAxis(x, 1, 0, 1), nd.slice_axis(x, 0, 0, null), x.sliceAxis(1, 0), x.slice_axis(0, 0, 1),
  nd.slice(x, { begin: [0, null], end: [null, 1] }), nd.slice(x, { begin: [0, 0], end: [2, 2], step: [1, -1] }),
  nd.take(x, nd.array([0])), nd.take(x, nd.array([0]), { axis: 1, mode: 'clip' }), x.take(nd.array([1]), { mode: 'wrap' }),
  nd.pick(x, nd.array([0, 1])), nd.pick(x, nd.array([0, 1]), { axis: 0 }), x.pick(nd.array([0, 1]), { axis: -1 }),
  nd.oneHot(nd.array([0, 1]), 3), nd.one_hot(nd.array([1]), 2),
  nd.topk(x), nd.topk(x, { axis: -1, k: 1, retTyp: 'indices', isAscend: false }), nd.topk(x, { retTyp: 'value' }),
  nd.topk(x, { retTyp: 'mask' }), x.topk({ k: 2 }),
  nd.sort(x), nd.sort(x, { axis: -1, isAscend: true }), x.sort({ isAscend: false }),
  nd.argsort(x), nd.argsort(x, { axis: 0, isAscend: false }), x.argsort(),
];
const [topValues, topIndices] = nd.topk(x, { k: 1, retTyp: 'both' });
const bothList: NDArray[] = x.topk({ retTyp: 'both' });

// Writing.
const same1: NDArray = x.set(1);
const same2: NDArray = x.set(nd.zeros([2]));
const copied: NDArray = x.copyTo(nd.zeros([2, 2]));
const copied2: NDArray = x.copyto(nd.zeros([2, 2]));
const fresh: NDArray = x.copy();
const inplace: NDArray = x.addInPlace(1).subInPlace(x).mulInPlace(2).divInPlace(nd.ones([2, 2]));
const ndWrites: NDArray[] = [nd.set(x, 0), nd.copyTo(x, nd.zeros([2, 2])), nd.addInPlace(x, 1), nd.subInPlace(x, 1), nd.mulInPlace(x, 1), nd.divInPlace(x, 1)];

// Memory.
x.dispose();
nd.dispose([nd.ones(1), nd.ones(2)]);
const kept: NDArray = nd.tidy(() => nd.ones(2).mul(2));
const keptMany: { a: NDArray; b: NDArray[] } = nd.tidy(() => ({ a: nd.ones(1), b: [nd.ones(1)] }));
const mem: { numArrays: number; numBytes: number } = nd.memory();

// ## autograd
const v = nd.array([1, 2]);
v.attachGrad();
v.attachGrad('add');
v.attach_grad('null');
const z: NDArray = autograd.record(() => v.mul(v));
const zTest: NDArray = autograd.record(() => v.mul(v), { trainMode: false });
{
  using _ = autograd.record();
  v.mul(2);
}
{
  using _scope = autograd.record({ trainMode: false });
}
const paused: NDArray = autograd.pause(() => v.mul(2));
const pausedTrain: number = autograd.pause(() => 1, { trainMode: true });
const trained: boolean = autograd.trainMode(() => autograd.isTraining());
const predicted: boolean = autograd.predictMode(() => autograd.is_training());
const flags: boolean[] = [autograd.isRecording(), autograd.is_recording(), autograd.setRecording(false), autograd.setTraining(false)];
const flags2: boolean[] = [autograd.set_recording(false), autograd.set_training(false)];
const modes: number[] = [autograd.train_mode(() => 1), autograd.predict_mode(() => 2)];
z.backward();
z.backward(nd.ones(2));
z.backward(nd.ones(2), { retainGraph: true, trainMode: true });
z.backward({ retainGraph: true });
z.backward(null, { trainMode: false });
autograd.backward(z);
autograd.backward([z, z], [null, nd.ones(2)], { retainGraph: true, trainMode: false });
autograd.backward([z], undefined, { retainGraph: false });
const grads: NDArray[] = autograd.grad(z, v);
const grads2: NDArray[] = autograd.grad([z], [v], { headGrads: [nd.ones(2)], retainGraph: true, createGraph: true, trainMode: true });
const grads3: NDArray[] = autograd.grad([z], [v], { headGrads: [null] });
autograd.markVariables([v], [nd.zeros(2)]);
autograd.markVariables(v, nd.zeros(2), 'add');
autograd.markVariables([v, v], [nd.zeros(2), nd.zeros(2)], ['write', 'null']);
autograd.mark_variables([v], [nd.zeros(2)], 'write');
const detached: NDArray = v.detach();

class MyOp extends autograd.Function {
  forward(a: NDArray, b: NDArray): NDArray[] {
    this.saveForBackward(a, b);
    return [a.mul(b), a.add(b)];
  }
  backward(dm: NDArray, dn: NDArray): NDArray[] {
    const [a, b] = this.savedTensors;
    return [dm.mul(b).add(dn), dm.mul(a).add(dn)];
  }
}
class Square extends autograd.Function {
  forward(a: NDArray): NDArray {
    this.saveForBackward(a);
    return a.square();
  }
  backward(g: NDArray): NDArray {
    const [a] = this.savedTensors;
    return g.mul(a).mul(2);
  }
}
const [m, n] = new MyOp().call(v, v);
const sq: NDArray = new Square().call(v);
const sqRecorded: NDArray = autograd.record(() => new Square().call(v));

// ## ndgrad/testing and ndgrad/jest
assertAlmostEqual(v, [1, 2]);
assertAlmostEqual(v, new Float32Array([1, 2]), { rtol: 1e-5, atol: 1e-20 });
assertAlmostEqual(1, 1);
assertAlmostEqual([[1]], nd.array([[1]]), { atol: 1e-3 });
checkNumericGradient((a) => a.exp(), [v]);
checkNumericGradient((a, b) => [a.mul(b)], [v, v], { eps: 1e-3, rtol: 1e-2, atol: 1e-3 });
declare const expect: (received: unknown) => jest.Matchers<void>;
expect(v).toBeCloseToArray([1, 2]);
expect(v).toBeCloseToArray(nd.array([1, 2]), { rtol: 1e-5, atol: 0 });

// ## Files
nd.save('/tmp/a.params', [v]);
nd.save('/tmp/a.params', v);
nd.save('/tmp/a.params', { weight: v, bias: v });
const loaded: NDArray[] | Record<string, NDArray> = nd.load('/tmp/a.params');
nd.saveNpy('/tmp/a.npy', v);
const npy: NDArray = nd.loadNpy('/tmp/a.npy');

// What API.md rules out.
// @ts-expect-error reductions take an axis or an options object, not a string
x.sum('0');
// @ts-expect-error topk retTyp is one of 'indices', 'value', 'both', 'mask'
nd.topk(x, { retTyp: 'values' });
// @ts-expect-error norm's ord is 1 or 2
x.norm({ ord: 3 });
// @ts-expect-error dtype names are the four ndgrad dtypes
nd.zeros(2, { dtype: 'int64' });
// @ts-expect-error x.grad may be null until attachGrad
const notNull: NDArray = v.grad;
// @ts-expect-error gradReq is 'write', 'add' or 'null'
v.attachGrad('sum');
// @ts-expect-error a custom op's call returns what its forward returns
const wrongCall: NDArray[] = new Square().call(v);

export {
  seeded, ctx1, ctxText, noGpu, cls, dtypes, converted, shape, fromTyped, fromArray, fromNumber, creations, size, ndim,
  dtype, context, grad, transposed, disposed, nested, flat, scalar, view, printed, arithmetic, reductions, nn, products,
  shapes, parts, parts2, parts3, indexed, topValues, topIndices, bothList, same1, same2, copied, copied2, fresh, inplace,
  ndWrites, kept, keptMany, mem, zTest, paused, pausedTrain, trained, predicted, flags, flags2, modes, grads, grads2,
  grads3, detached, m, n, sq, sqRecorded, loaded, npy, notNull, wrongCall,
};
