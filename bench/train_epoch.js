'use strict';
// Epoch row (issue 13): one epoch of the crash-course LeNet over the 60,000 Fashion-MNIST
// training images, batch 256, data loading included (DataLoader, shuffle, ToTensor + Normalize as
// a transformFirst; gluon forward, SoftmaxCrossEntropyLoss, backward, trainer.step with SGD),
// against PyTorch (bench/train_torch.py 'epoch': the same model and batch, torch.utils.data over
// in-memory tensors, torch.set_num_threads(2) and (1), the faster is the comparison). Rounds
// alternate the engines; prints the median images/s and the share of time spent loading batches.
// TensorFlow.js is left out: tfjs-core's Node build registers no gradients (bench/train_step.js).
//   node bench/train_epoch.js [rounds=3] [root=/usr/share/datasets/fashion-mnist]
const path = require('path');
const { torchServer, median, run, lenet } = require('./common');
const { autograd, gluon, init, nd, random } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

const rounds = Number(process.argv[2] || 3);
const root = process.argv[3] || '/usr/share/datasets/fashion-mnist';
process.env.BENCH_FASHION_ROOT = root;
const { nn } = gluon;
const T = gluon.data.vision.transforms;

random.seed(0);
const loader = new gluon.data.DataLoader(
  new gluon.data.vision.FashionMNIST({ root, train: true }).transformFirst(T.Compose([new T.ToTensor(), new T.Normalize(0.13, 0.31)])),
  { batchSize: 256, shuffle: true },
);
const net = lenet(gluon);
net.initialize(new init.Xavier());
const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });

/** [seconds, seconds spent loading] of one epoch */
function ndgradEpoch() {
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  const t0 = now();
  let loading = 0;
  let seen = 0;
  const it = loader[Symbol.iterator]();
  for (;;) {
    const l0 = now();
    const next = it.next();
    loading += now() - l0;
    if (next.done) break;
    const [data, label] = next.value;
    seen += data.shape[0];
    nd.tidy(() => {
      autograd.record(() => lossFn.forward(net.forward(data), label)).backward();
      trainer.step(data.shape[0]);
    });
    data.dispose();
    label.dispose();
  }
  if (seen !== 60000) throw new Error(`ndgrad epoch saw ${seen} images`);
  return [now() - t0, loading];
}

async function main() {
  const torch = { 2: torchServer('train_torch.py', 2), 1: torchServer('train_torch.py', 1) };
  await Promise.all([torch[2].info, torch[1].info]);
  const runs = { ndgrad: [], 'pytorch-2': [], 'pytorch-1': [] };
  for (let r = 0; r < rounds; r++) {
    runs.ndgrad.push(ndgradEpoch());
    for (const t of [2, 1]) {
      const { times, loading } = await torch[t].run('epoch', 1);
      runs[`pytorch-${t}`].push([times[0], loading[0]]);
    }
    process.stderr.write(`round ${r}: ${JSON.stringify(runs)}\n`);
  }
  for (const t of [2, 1]) torch[t].close();
  const summary = {};
  for (const [e, v] of Object.entries(runs)) {
    const s = median(v.map(([t]) => t));
    summary[e] = s;
    const share = median(v.map(([t, l]) => l / t));
    console.log(`${e.padEnd(10)} ${s.toFixed(2)} s/epoch, ${(60000 / s).toFixed(0)} images/s, loading ${(100 * share).toFixed(1)}% ` +
      `(epochs: ${v.map(([t]) => t.toFixed(2)).join(', ')} s)`);
  }
  const best = Math.min(summary['pytorch-2'], summary['pytorch-1']);
  console.log(`ndgrad / best PyTorch epoch time: ${(summary.ndgrad / best).toFixed(2)}`);
}

run(main);
