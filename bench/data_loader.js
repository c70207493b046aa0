#!/usr/bin/env node
'use strict';
// One full pass of a DataLoader over the real Fashion-MNIST training set (60,000 images, batch 256,
// shuffle, ToTensor + Normalize as a transformFirst, so gathered and transformed per batch)
// against torch.utils.data.DataLoader over in-memory tensors (the same uint8 images and labels in
// a TensorDataset, batch 256, shuffle, the same ToTensor + Normalize applied to each batch;
// /usr/bin/python3, torch.set_num_threads(2)), both as usually written (per-sample indexing and
// collate) and with a BatchSampler handing whole index lists to the TensorDataset. The two alternate, `rounds` passes each; prints
// the median images/s of each and their ratio.
//   node bench/data_loader.js [rounds=5] [root=/usr/share/datasets/fashion-mnist]
const path = require('path');
const { execFileSync } = require('child_process');
const { gluon, nd, random } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

const rounds = Number(process.argv[2] || 5);
const root = process.argv[3] || '/usr/share/datasets/fashion-mnist';
const [mean, std, batchSize] = [0.286, 0.353, 256];

const T = gluon.data.vision.transforms;
const train = new gluon.data.vision.FashionMNIST({ root, train: true }).transformFirst(
  new T.Compose([new T.ToTensor(), new T.Normalize(mean, std)]),
);
const loader = new gluon.data.DataLoader(train, { batchSize, shuffle: true });
random.seed(0);

function ndgradPass() {
  const t0 = process.hrtime.bigint();
  let seen = 0;
  for (const [data, label] of loader) {
    seen += data.shape[0];
    data.dispose();
    label.dispose();
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (seen !== 60000) throw new Error(`ndgrad pass saw ${seen} images`);
  return seen / s;
}

const TORCH = `
import gzip, sys, time
import numpy as np, torch
root, mean, std, bs, threads = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)
def idx(name, offset):
    with gzip.open(f'{root}/{name}.gz', 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)
images = torch.from_numpy(idx('train-images-idx3-ubyte', 16).reshape(-1, 28, 28, 1).copy())
labels = torch.from_numpy(idx('train-labels-idx1-ubyte', 8).astype(np.int32))
ds = torch.utils.data.TensorDataset(images, labels)
per_sample = torch.utils.data.DataLoader(ds, batch_size=bs, shuffle=True)
# batch_size=None with a BatchSampler as the sampler hands each index list to TensorDataset,
# which gathers the batch in one indexing call, as ndgrad's loader does
gathered = torch.utils.data.DataLoader(ds, batch_size=None, sampler=torch.utils.data.BatchSampler(
    torch.utils.data.RandomSampler(ds), batch_size=bs, drop_last=False))
for loader in (per_sample, gathered):
    t0 = time.perf_counter()
    seen = 0
    for data, label in loader:
        data = data.permute(0, 3, 1, 2).float().div(255).sub(mean).div(std)
        seen += data.shape[0]
    s = time.perf_counter() - t0
    assert seen == 60000
    print(seen / s)
`;

/** [per-sample DataLoader, gathering DataLoader] images/s */
function torchPass(threads) {
  const args = ['-c', TORCH, root, String(mean), String(std), String(batchSize), String(threads)];
  const out = execFileSync('/usr/bin/python3', args, { encoding: 'utf8' });
  return out.trim().split('\n').map(Number);
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
ndgradPass(); // warm-up
const ours = [];
const perSample = [];
const gathered = [];
const gatheredOneThread = [];
for (let r = 0; r < rounds; r++) {
  ours.push(ndgradPass());
  const [a, b] = torchPass(2);
  perSample.push(a);
  gathered.push(b);
  gatheredOneThread.push(torchPass(1)[1]);
}
const show = (label, v) => console.log(`${label} ${median(v).toFixed(0)} images/s (passes: ${v.map((x) => x.toFixed(0)).join(', ')})`);
show('ndgrad DataLoader:                  ', ours);
show('torch DataLoader (per-sample):      ', perSample);
show('torch DataLoader (batched indexing):', gathered);
// on a loaded machine torch's two OpenMP threads can wait on each other; one thread shows that cost
show('same, torch.set_num_threads(1):      ', gatheredOneThread);
console.log(`ndgrad / torch per-sample: ${(median(ours) / median(perSample)).toFixed(1)}x; ndgrad / torch batched: ${(median(ours) / median(gathered)).toFixed(2)}x`);
