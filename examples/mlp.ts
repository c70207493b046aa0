// A two-layer MLP with dropout (d2l style) on two concentric rings, which no linear model can
// separate: fullyConnected + relu + dropout, softmaxCrossEntropy, and SGD with momentum.
import { autograd, nd, NDArray } from 'ndgrad';

nd.random.seed(3);
const n = 400; // per ring
const ring = (radius: number) => {
  const angle = nd.random.uniform({ low: 0, high: 2 * Math.PI, shape: [n, 1] });
  const r = nd.random.normal({ loc: radius, scale: 0.25, shape: [n, 1] });
  return nd.concat(r.mul(angle.cos()), r.mul(angle.sin()), { dim: 1 });
};
const X = nd.concat(ring(1), ring(3), { dim: 0 });
const y = nd.concat(nd.zeros([n]), nd.ones([n]), { dim: 0 });

const hidden = 32;
const W1 = nd.random.normal({ scale: 0.5, shape: [hidden, 2] });
const b1 = nd.zeros([hidden]);
const W2 = nd.random.normal({ scale: 0.5, shape: [2, hidden] });
const b2 = nd.zeros([2]);
// each parameter with its momentum buffer
const params = [W1, b1, W2, b2].map((p) => ({ p, velocity: nd.zerosLike(p) }));
params.forEach(({ p }) => p.attachGrad());

// dropout is active only while training (inside record(), or trainMode)
const net = (x: NDArray) => nd.fullyConnected(nd.dropout(nd.fullyConnected(x, W1, b1).relu(), { p: 0.1 }), W2, b2);
const lr = 0.05;
const momentum = 0.9;

for (let epoch = 1; epoch <= 60; epoch++) {
  nd.tidy(() => {
    const loss = autograd.record(() => nd.softmaxCrossEntropy(net(X), y).div(2 * n));
    loss.backward();
    params.forEach(({ p, velocity }) => {
      velocity.mulInPlace(momentum).subInPlace(p.grad!.mul(lr));
      p.addInPlace(velocity);
    });
    if (epoch % 20 === 0) {
      const accuracy = net(X).argmax(1).equal(y).mean().asScalar();
      console.log(`epoch ${epoch}, loss ${loss.asScalar().toFixed(4)}, accuracy ${accuracy.toFixed(3)}`);
    }
  });
}
