// The Gluon crash course (MXNet 1.x, chapters "Train the neural network" and "Predict with a
// pretrained model") on the real Fashion-MNIST: LeNet, SGD, 10 epochs, then save, reload and
// predict ten test images. Needs the data set: `apt-get install dataset-fashion-mnist`, or the
// four idx files in $NDGRAD_DATA/fashion-mnist (see docs/data.md).
// Writes the loss and accuracy curves as crash-course.svg and .png into --out (the OS temp dir
// by default).
//   npm run example -- crash-course [--epochs N] [--params file] [--out dir] [--limit images]
import * as os from 'os';
import * as path from 'path';
import mx, { autograd, gluon, init, nd, type NDArray } from 'ndgrad';
import { type Curves, writeCurves } from './plot';

const { nn } = gluon;
const { transforms } = gluon.data.vision;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? def;
}
const epochs = Number(arg('epochs', '10'));
const paramsFile = arg('params', path.join(os.tmpdir(), 'ndgrad-crash-course.params'));
const outDir = arg('out', os.tmpdir());
// A quick run on the first `limit` training and test images (all of them by default).
const limit = Number(arg('limit', 'Infinity'));
const subset = (d: gluon.data.Dataset) => (limit < d.length ? d.take(limit) : d);

const buildNet = () =>
  new nn.Sequential().add(
    new nn.Conv2D(6, 5, { activation: 'relu' }), new nn.MaxPool2D(2, 2),
    new nn.Conv2D(16, 3, { activation: 'relu' }), new nn.MaxPool2D(2, 2),
    new nn.Flatten(), new nn.Dense(120, { activation: 'relu' }),
    new nn.Dense(84, { activation: 'relu' }), new nn.Dense(10),
  );

mx.random.seed(42);
const transformer = transforms.Compose([new transforms.ToTensor(), new transforms.Normalize(0.13, 0.31)]);
const trainData = new gluon.data.DataLoader(subset(new gluon.data.vision.FashionMNIST({ train: true })).transformFirst(transformer), {
  batchSize: 256,
  shuffle: true,
});
const validData = new gluon.data.DataLoader(subset(new gluon.data.vision.FashionMNIST({ train: false })).transformFirst(transformer), {
  batchSize: 256,
});

const net = buildNet();
net.initialize(new init.Xavier());
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });

const accuracy = (output: NDArray, label: NDArray) => output.argmax(1).equal(label.astype('float32')).mean().asScalar();

const curves: Curves = { 'training loss': [], 'training accuracy': [], 'test accuracy': [] };
for (let epoch = 0; epoch < epochs; epoch++) {
  let trainLoss = 0;
  let trainAcc = 0;
  let validAcc = 0;
  const tic = Date.now();
  for (const [data, label] of trainData) {
    nd.tidy(() => {
      let output!: NDArray;
      const loss = autograd.record(() => {
        output = net.forward(data) as NDArray;
        return lossFn.forward(output, label);
      });
      loss.backward();
      trainer.step(data.shape[0]!);
      trainLoss += loss.mean().asScalar();
      trainAcc += accuracy(output, label);
    });
  }
  for (const [data, label] of validData) nd.tidy(() => (validAcc += accuracy(net.forward(data) as NDArray, label)));
  curves['training loss']!.push(trainLoss / trainData.length);
  curves['training accuracy']!.push(trainAcc / trainData.length);
  curves['test accuracy']!.push(validAcc / validData.length);
  console.log(
    `Epoch ${epoch}: loss ${(trainLoss / trainData.length).toFixed(3)}, train acc ${(trainAcc / trainData.length).toFixed(3)}, ` +
      `test acc ${(validAcc / validData.length).toFixed(3)}, in ${((Date.now() - tic) / 1000).toFixed(1)} sec`,
  );
}
net.saveParameters(paramsFile);
console.log(`saved ${paramsFile}`);

// Predict: a fresh net with the saved parameters, ten test images.
const textLabels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'];
const predictor = buildNet();
predictor.loadParameters(paramsFile);
const test = new gluon.data.vision.FashionMNIST({ train: false });
const lines: string[] = [];
for (let i = 0; i < 10; i++) {
  const [image, label] = test.at(i) as [NDArray, number | NDArray];
  const x = transformer.forward(image).expandDims(0);
  const pred = (predictor.forward(x) as NDArray).argmax(1).asScalar();
  const truth = typeof label === 'number' ? label : label.asScalar();
  lines.push(`  image ${i}: predicted ${textLabels[pred] ?? pred}, label ${textLabels[truth] ?? truth}`);
}
console.log(`predictions of the reloaded net:\n${lines.join('\n')}`);
writeCurves(curves, outDir, 'crash-course').then(
  (files) => console.log(`curves: ${files.join(' ')}`),
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
