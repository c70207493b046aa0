// An MLP on MNIST-format data trained with gluon.contrib.estimator: validation each epoch, early
// stopping on the validation accuracy, a checkpoint per epoch (and the best one), then the history
// of every metric and its curves (SVG and PNG). Uses MNIST when its files are found, Fashion-MNIST
// otherwise (`apt-get install dataset-fashion-mnist`; see docs/data.md for the folders searched).
//   npm run example -- mlp-estimator [--epochs N] [--out dir] [--limit images]
import * as os from 'os';
import * as path from 'path';
import mx, { gluon, init, metric } from 'ndgrad';
import { writeCurves } from './plot';

const { nn } = gluon;
const { vision } = gluon.data;
const { Estimator, EarlyStoppingHandler, CheckpointHandler } = gluon.contrib.estimator;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? def;
}
const epochs = Number(arg('epochs', '10'));
const outDir = arg('out', os.tmpdir());
const limit = Number(arg('limit', 'Infinity'));

function load(train: boolean): [string, gluon.data.Dataset] {
  try {
    return ['MNIST', new vision.MNIST({ train })];
  } catch {
    return ['Fashion-MNIST', new vision.FashionMNIST({ train })];
  }
}

async function main(): Promise<void> {
  mx.random.seed(7);
  const transformer = vision.transforms.Compose([new vision.transforms.ToTensor(), new vision.transforms.Normalize(0.13, 0.31)]);
  const loader = (train: boolean) => {
    const [name, d] = load(train);
    const data = (limit < d.length ? d.take(limit) : d).transformFirst(transformer);
    return [name, new gluon.data.DataLoader(data, { batchSize: 128, shuffle: train })] as const;
  };
  const [name, trainData] = loader(true);
  const [, valData] = loader(false);
  console.log(`data set: ${name}, ${trainData.length} training batches`);

  const net = new nn.Sequential().add(new nn.Flatten(), new nn.Dense(256, { activation: 'relu' }), new nn.Dense(128, { activation: 'relu' }), new nn.Dense(10));
  net.initialize(new init.Xavier());
  const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1, momentum: 0.9 });
  const est = new Estimator({ net, loss: new gluon.loss.SoftmaxCrossEntropyLoss(), trainMetrics: [new metric.Accuracy(), new metric.Loss()], trainer });
  const monitor = est.valMetrics[0]!; // 'validation accuracy'
  const modelDir = path.join(outDir, 'mlp-estimator-checkpoints');
  const stopper = new EarlyStoppingHandler({ monitor, patience: 2, minDelta: 0.001 });
  const history = est.fit(trainData, {
    valData,
    epochs,
    eventHandlers: [stopper, new CheckpointHandler({ modelDir, modelPrefix: 'mlp', monitor, saveBest: true, maxCheckpoints: 3 })],
  });
  if (stopper.stoppedEpoch >= 0) console.log(`early stopping after epoch ${stopper.stoppedEpoch}`);
  console.log(`checkpoints in ${modelDir}`);
  console.log('history:');
  for (const [metricName, values] of Object.entries(history)) console.log(`  ${metricName}: ${values.map((v) => v.toFixed(4)).join(' ')}`);
  const files = await writeCurves(history, outDir, 'mlp-estimator');
  console.log(`curves: ${files.join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
