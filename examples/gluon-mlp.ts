// XOR of the quadrants (label 1 where x0 * x1 > 0), which no linear model separates, with gluon:
// nn.Sequential, init.Xavier, loss.SoftmaxCrossEntropyLoss, an SGD step over
// net.collectParams(), then saveParameters / loadParameters into a fresh net.
import * as os from 'os';
import * as path from 'path';
import { autograd, gluon, init, nd } from 'ndgrad';

const { nn } = gluon;
nd.random.seed(3);
const samples = 800;
const X = nd.random.uniform({ low: -1, high: 1, shape: [samples, 2] });
const y = X.sliceAxis(1, 0, 1).mul(X.sliceAxis(1, 1, 2)).greater(0).reshape([samples]);

const build = () => new nn.Sequential().add(new nn.Dense(32, { activation: 'relu' }), new nn.Dropout(0.1), new nn.Dense(2));
const net = build();
net.initialize(new init.Xavier()); // shapes are known after the first forward
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
const lr = 0.5;

for (let epoch = 1; epoch <= 60; epoch++) {
  nd.tidy(() => {
    const loss = autograd.record(() => lossFn.forward(net.forward(X), y));
    loss.backward();
    for (const p of net.collectParams().values()) p.data().subInPlace(p.grad().mul(lr / samples));
    if (epoch % 20 === 0) {
      const accuracy = net.forward(X).argmax(1).equal(y).mean().asScalar();
      console.log(`epoch ${epoch}, loss ${loss.mean().asScalar().toFixed(4)}, accuracy ${accuracy.toFixed(3)}`);
    }
  });
}

console.log(net.collectParams().keys().join(' ')); // dense0_weight dense0_bias dense1_weight dense1_bias
const file = path.join(os.tmpdir(), `gluon-mlp-${process.pid}.params`);
net.saveParameters(file); // keys 0.weight 0.bias 2.weight 2.bias, MXNet's format
const copy = build();
copy.loadParameters(file);
console.log(`reloaded net agrees: ${copy.forward(X).sub(net.forward(X)).abs().max().asScalar() === 0}`);
