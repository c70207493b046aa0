// Softmax regression from scratch (d2l style) on three Gaussian blobs: the data is assembled with
// stack/reshape/tile, minibatches come from nd.split, the loss is softmaxCrossEntropy, and the
// accuracy uses argmax.
import { autograd, nd, NDArray } from 'ndgrad';

nd.random.seed(7);
const perClass = 200;
const centers = [[0, 3], [3, 0], [-3, -3]];
// (perClass, 3, 2) -> (3 * perClass, 2): rows cycle through the classes 0, 1, 2, 0, 1, 2, ...
const blobs = centers.map((c) => nd.random.normal({ shape: [perClass, 2] }).add(nd.array(c)));
const X = nd.stack(blobs, { axis: 1 }).reshape([-1, 2]);
const y = nd.array([0, 1, 2]).tile(perClass);

const W = nd.random.normal({ scale: 0.01, shape: [2, 3] });
const b = nd.zeros([3]);
W.attachGrad();
b.attachGrad();

const numBatches = 20;
const batchSize = (3 * perClass) / numBatches;
// pairs of (features, labels) minibatches
const labels = nd.split(y, numBatches, { axis: 0 });
const batches = nd.split(X, numBatches, { axis: 0 }).map((xb, i) => [xb, labels[i]!] as const);
const lr = 0.1;
const net = (x: NDArray) => nd.dot(x, W).add(b);
const accuracy = () => net(X).argmax(1).equal(y).mean().asScalar();

for (let epoch = 0; epoch < 5; epoch++) {
  batches.forEach(([xb, yb]) => {
    const loss = autograd.record(() => nd.softmaxCrossEntropy(net(xb), yb).div(batchSize));
    loss.backward();
    W.subInPlace(W.grad!.mul(lr));
    b.subInPlace(b.grad!.mul(lr));
  });
  const loss = nd.softmaxCrossEntropy(net(X), y).asScalar() / (3 * perClass);
  console.log(`epoch ${epoch + 1}, loss ${loss.toFixed(4)}, accuracy ${accuracy().toFixed(3)}`);
}
