// Linear regression from scratch (d2l style): minibatch SGD on y = X w + b + noise.
import { autograd, nd, NDArray } from 'ndgrad';

nd.random.seed(42);
const trueW = nd.array([[2], [-3.4]]);
const trueB = 4.2;
const numExamples = 1000;
const X = nd.random.normal({ shape: [numExamples, 2] });
const y = nd.dot(X, trueW).add(trueB).add(nd.random.normal({ scale: 0.01, shape: [numExamples, 1] }));

const w = nd.random.normal({ scale: 0.01, shape: [2, 1] });
const b = nd.zeros([1]);
w.attachGrad();
b.attachGrad();

const batchSize = 10;
const lr = 0.03;
const squaredLoss = (yHat: NDArray, target: NDArray) => yHat.sub(target).square().div(2);

for (let epoch = 0; epoch < 3; epoch++) {
  for (let start = 0; start < numExamples; start += batchSize) {
    const xb = X.slice(start, start + batchSize);
    const yb = y.slice(start, start + batchSize);
    const loss = autograd.record(() => squaredLoss(nd.dot(xb, w).add(b), yb));
    loss.backward();
    // SGD: outside record, in-place updates are plain writes.
    w.subInPlace(w.grad!.mul(lr / batchSize));
    b.subInPlace(b.grad!.mul(lr / batchSize));
  }
  const trainLoss = squaredLoss(nd.dot(X, w).add(b), y).mean().asScalar();
  console.log(`epoch ${epoch + 1}, loss ${trainLoss.toFixed(6)}`);
}
console.log('w', Array.from(w.toTypedArray()).map((v) => v.toFixed(3)).join(' '), 'b', b.asScalar().toFixed(3));
