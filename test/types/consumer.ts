// A TypeScript consumer of the published types (dist/*.d.ts), type-checked by test/package.test.ts
// with `tsc --noEmit`; never run. The @ts-expect-error lines fail the check if the types go loose
// (`any`) or stop rejecting wrong calls.
import mx, { autograd, nd, NDArray, type NestedArray } from '../../dist/index';

const x: NDArray = nd.array([[1, 2], [3, 4]]);
x.attach_grad();
x.attachGrad('write');
const y: NDArray = autograd.record(() => x.mul(x).sum());
y.backward();
const g: NDArray | null = x.grad;
const gradValues: NestedArray | undefined = g?.toArray();
const total: number = y.asscalar();
const training: boolean = autograd.is_training();
const recording: boolean = autograd.isRecording();
const previous: boolean = autograd.set_training(false);
const gradients: NDArray[] = autograd.grad(y, [x]);
const kernelPath: string = mx.isa();
const z: NDArray = mx.nd.zeros([2, 3]);

const [topValues, topIndices]: NDArray[] = nd.topk(x, { k: 2, retTyp: 'both' });
const topMask: NDArray = x.topk({ retTyp: 'mask', axis: null });
const taken: NDArray = nd.take(x, nd.array([1, 0]), { axis: 1, mode: 'wrap' });
const sorted: NDArray = x.sort({ isAscend: false }).add(nd.argsort(x, { dtype: 'int32' }).astype('float32'));
const shuffled: NDArray = nd.random.shuffle(x);

// @ts-expect-error topk with retTyp 'both' returns an array of two NDArrays
const notOne: NDArray = nd.topk(x, { retTyp: 'both' });
const sums: NDArray = x.sum({ axis: 0, keepdims: true }).add(nd.cumsum(x, { axis: 1, dtype: 'float64' }).astype('float32'));
const running: NDArray = x.cumsum({ axis: null, dtype: null }).add(x.argmax({ axis: 1, keepdims: true }));
// @ts-expect-error cumsum has no keepdims option (its field table has axis and dtype)
x.cumsum({ keepdims: true });
// @ts-expect-error the nd function takes the same options as the method
nd.cumsum(x, { keepdims: true });
// @ts-expect-error sum has no dtype option
x.sum({ dtype: 'float64' });
// @ts-expect-error take has no 'nearest' mode
nd.take(x, x, { mode: 'nearest' });
// @ts-expect-error attachGrad takes a GradReq, not a number
x.attachGrad(3);
// @ts-expect-error is_training takes no arguments and returns a boolean
const wrong: string = autograd.is_training();
// @ts-expect-error nd has no MXNet op of that name
nd.no_such_op(x);

export { gradValues, total, training, recording, previous, gradients, kernelPath, z, wrong };
export { topValues, topIndices, topMask, taken, sorted, shuffled, notOne };

// nd.loadList / nd.loadDict need no cast (nd.load returns the union).
const loadedList: NDArray[] = nd.loadList('a.params');
const loadedDict: Record<string, NDArray> = nd.loadDict('b.params');
// @ts-expect-error nd.load's union is not a list without a check
const notAList: NDArray[] = nd.load('a.params');

// gluon and init: a custom block, layers, a loss, parameters.
import { gluon, init } from '../../dist/index';
class TinyNet extends gluon.Block {
  dense: gluon.nn.Dense;
  constructor() {
    super();
    this.dense = this.nameScope(() => new gluon.nn.Dense(2, { activation: 'relu', inUnits: 3 }));
  }
  forward(input: NDArray): NDArray {
    return this.dense.forward(input);
  }
}
const tiny = new TinyNet();
tiny.initialize(new init.Xavier({ rndType: 'gaussian' }));
const seq = new gluon.nn.Sequential().add(tiny, new gluon.nn.Dropout(0.5), new gluon.nn.Flatten());
const lossValue: NDArray = new gluon.loss.SoftmaxCrossEntropyLoss({ sparseLabel: true }).forward(seq.forward(z), nd.zeros([2]));
const weight: NDArray = tiny.collectParams().values()[0]!.data();
const paramNames: string[] = tiny.collect_params('.*weight').keys();
const clipped: number = gluon.utils.clipGlobalNorm([weight], 1);
// @ts-expect-error an unknown activation name
new gluon.nn.Activation('relu6');

// gluon.data and mx.metric: a loader over arrays with a batchable transform, a metric.
import { metric } from '../../dist/index';
const T = gluon.data.vision.transforms;
const pipeline = new T.Compose([new T.ToTensor(), new T.Normalize([0.5], [0.25])]);
const arrays = new gluon.data.ArrayDataset(nd.zeros([4, 2, 2, 1], { dtype: 'uint8' }), nd.zeros([4], { dtype: 'int32' }));
const loader = new gluon.data.DataLoader(arrays.transformFirst(pipeline), { batchSize: 2, shuffle: true, lastBatch: 'rollover' });
const batches: number = loader.length;
const accuracy = new metric.Accuracy({ axis: 1 });
for (const [data, label] of loader) accuracy.update(label, nd.zeros([data.shape[0] ?? 0, 3]));
const single = new gluon.data.DataLoader<NDArray>(new gluon.data.ArrayDataset(nd.zeros([3, 2])), { batchSize: 2 });
for (const rows of single) rows.dispose();
const reported: [string, number][] = metric.create(['acc', 'f1']).getNameValue();
// @ts-expect-error lastBatch is 'keep', 'discard' or 'rollover'
new gluon.data.DataLoader(arrays, { batchSize: 2, lastBatch: 'drop' });
