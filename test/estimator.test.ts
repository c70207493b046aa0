// gluon.contrib.estimator: the Estimator's loop, metrics and history, and its handlers (early
// stopping, checkpoint and resume, logging lines, order), on a small MLP and synthetic blobs.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import mx, { gluon, init, metric, nd, type NDArray } from '../lib';

const { nn } = gluon;
const { Estimator, EarlyStoppingHandler, CheckpointHandler, LoggingHandler } = gluon.contrib.estimator;
type Handler = gluon.contrib.estimator.EventHandler;

/** Three Gaussian blobs around the given centers in 10 dimensions, n points each. */
function blobs(centers: NDArray, n: number): gluon.data.ArrayDataset {
  const labels = nd.array(Array.from({ length: 3 * n }, (_, i) => i % 3));
  return new gluon.data.ArrayDataset(centers.take(labels).add(nd.random.normal({ shape: [3 * n, 10] })), labels);
}

function setup(seed = 5, opts: { lr?: number } = {}) {
  mx.random.seed(seed);
  const centers = nd.random.normal({ scale: 2, shape: [3, 10] });
  const trainData = new gluon.data.DataLoader(blobs(centers, 40), { batchSize: 20 });
  const valData = new gluon.data.DataLoader(blobs(centers, 10), { batchSize: 30 });
  const net = new nn.Sequential().add(new nn.Dense(16, { activation: 'relu' }), new nn.Dense(3));
  net.initialize(new init.Xavier());
  const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: opts.lr ?? 0.1, momentum: 0.9 });
  const loss = new gluon.loss.SoftmaxCrossEntropyLoss();
  return { trainData, valData, net, trainer, loss };
}

const quiet = () => new LoggingHandler({ write: () => {}, progressBar: false });

function weights(net: gluon.Block): number[][] {
  return [...net.collectParams().values()].map((p) => Array.from(p.data().toTypedArray() as Float32Array));
}

test("metrics get MXNet's names and fit returns their history per epoch", () => {
  const { trainData, valData, net, trainer, loss } = setup();
  const est = new Estimator({ net, loss, trainMetrics: new metric.Accuracy(), trainer });
  const history = est.fit(trainData, { valData, epochs: 4, eventHandlers: [quiet()] });
  expect(Object.keys(history).sort()).toEqual(['training accuracy', 'validation accuracy']);
  for (const v of Object.values(history)) expect(v).toHaveLength(4);
  expect(history['training accuracy'][3]).toBeGreaterThan(history['training accuracy'][0]);
  expect(history['validation accuracy'][3]).toBeGreaterThan(0.9);
  // The last validation value is what evaluate() computes from the trained net.
  est.evaluate(valData);
  expect(est.valMetrics[0].get()[1]).toBeCloseTo(history['validation accuracy'][3], 10);
});

test('without trainMetrics: accuracy and the loss, named as MXNet names them, and the loss falls', () => {
  const { trainData, valData, net, trainer, loss } = setup();
  const est = new Estimator({ net, loss, trainer });
  const history = est.fit(trainData, { valData, epochs: 3, eventHandlers: quiet() });
  expect(Object.keys(history).sort()).toEqual([
    'training accuracy',
    'training softmaxcrossentropyloss',
    'validation accuracy',
    'validation softmaxcrossentropyloss',
  ]);
  const l = history['training softmaxcrossentropyloss'];
  expect(l[2]).toBeLessThan(l[0]);
});

test('validation metrics are independent copies of the train metrics, composite ones included', () => {
  const { trainData, valData, net, trainer, loss } = setup();
  const composite = new metric.CompositeEvalMetric([new metric.Accuracy(), new metric.TopKAccuracy({ topK: 2 })]);
  const est = new Estimator({ net, loss, trainMetrics: [composite, new metric.CrossEntropy()], trainer });
  expect(est.valMetrics.map((m) => m.name)).toEqual(['validation composite', 'validation cross-entropy']);
  const valComposite = est.valMetrics[0] as metric.CompositeEvalMetric;
  expect(valComposite.metrics[0]).not.toBe(composite.metrics[0]);
  const history = est.fit(trainData, { valData, epochs: 2, eventHandlers: quiet() });
  expect(Object.keys(history).sort()).toEqual([
    'training accuracy', 'training cross-entropy', 'training top_k_accuracy_2',
    'validation accuracy', 'validation cross-entropy', 'validation top_k_accuracy_2',
  ]);
  est.evaluate(valData);
  // Counted separately: 30 validation samples, 120 training samples in the last epoch.
  expect(valComposite.metrics[0].numInst).toBe(30);
  expect(composite.metrics[0].numInst).toBe(120);
});

test('batches stops after that many batches', () => {
  const { trainData, net, trainer, loss } = setup();
  const est = new Estimator({ net, loss, trainer });
  let n = 0;
  est.fit(trainData, { batches: 9, eventHandlers: [quiet(), { batchEnd: () => void (n += 1) }] });
  expect(n).toBe(9); // 6 batches per epoch: one full epoch and three batches
  expect(est.currentEpoch).toBe(2);
});

test('early stopping stops at the epoch where patience runs out', () => {
  const { trainData, valData, net, trainer, loss } = setup();
  const est = new Estimator({ net, loss, trainer });
  // A metric that improves for three epochs, then stays flat.
  const values = [0.5, 0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3];
  let epoch = 0;
  const monitor = new metric.CustomMetric(() => values[epoch]!, { name: 'made-up error' });
  const feed: Handler = { priority: -1, epochEnd: () => { monitor.reset(); monitor.update(nd.zeros([1]), nd.zeros([1])); epoch += 1; } };
  const stopper = new EarlyStoppingHandler({ monitor, patience: 2, mode: 'min' });
  const history = est.fit(trainData, { valData, epochs: 8, eventHandlers: [quiet(), feed, stopper] });
  // Best at epoch 2; epochs 3 and 4 do not improve: stop after epoch 4.
  expect(stopper.stoppedEpoch).toBe(4);
  expect(est.currentEpoch).toBe(5);
  expect(history['validation accuracy']).toHaveLength(5);
});

test('early stopping: minDelta counts small improvements as none; auto mode maximises accuracy', () => {
  const { trainData, net, trainer, loss } = setup();
  const est = new Estimator({ net, loss, trainer });
  const values = [0.5, 0.51, 0.52, 0.53, 0.54];
  let epoch = 0;
  const monitor = new metric.CustomMetric(() => values[epoch]!, { name: 'accuracy' });
  const feed: Handler = { priority: -1, epochEnd: () => { monitor.reset(); monitor.update(nd.zeros([1]), nd.zeros([1])); epoch += 1; } };
  const stopper = new EarlyStoppingHandler({ monitor, patience: 1, minDelta: 0.05 });
  expect(stopper.mode).toBe('max');
  est.fit(trainData, { epochs: 5, eventHandlers: [quiet(), feed, stopper] });
  expect(stopper.stoppedEpoch).toBe(1);
});

test('checkpoints are written, pruned to maxCheckpoints, and the best one is kept', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-ckpt-'));
  const { trainData, valData, net, trainer, loss } = setup();
  const est = new Estimator({ net, loss, trainer });
  const ckpt = new CheckpointHandler({ modelDir: dir, modelPrefix: 'mlp', monitor: est.valMetrics[0], saveBest: true, maxCheckpoints: 2 });
  est.fit(trainData, { valData, epochs: 4, eventHandlers: [quiet(), ckpt] });
  const files = fs.readdirSync(dir).sort();
  expect(files).toEqual(['mlp-best.params', 'mlp-best.states', 'mlp-epoch3.params', 'mlp-epoch3.states', 'mlp-epoch4.params', 'mlp-epoch4.states']);
  // The epoch-4 checkpoint holds the final weights.
  const reloaded = setup().net;
  reloaded.loadParameters(path.join(dir, 'mlp-epoch4.params'));
  expect(weights(reloaded)).toEqual(weights(net));
});

test('resuming from a checkpoint continues the epoch count and gives the weights of an uninterrupted run', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-resume-'));
  const full = setup(11);
  const fullHistory = new Estimator(full).fit(full.trainData, { valData: full.valData, epochs: 5, eventHandlers: quiet() });

  const first = setup(11);
  new Estimator(first).fit(first.trainData, { valData: first.valData, epochs: 2, eventHandlers: [quiet(), new CheckpointHandler({ modelDir: dir })] });
  // A fresh process's view: new net and trainer (other initial weights), resumed from the files.
  const second = setup(99);
  const est = new Estimator({ ...second, loss: second.loss });
  const lines: string[] = [];
  const history = est.fit(first.trainData, {
    valData: first.valData,
    epochs: 5,
    eventHandlers: [new LoggingHandler({ write: (l) => lines.push(l), progressBar: false }), new CheckpointHandler({ modelDir: dir, resumeFromCheckpoint: true })],
  });
  expect(est.currentEpoch).toBe(5);
  expect(history['training accuracy']).toHaveLength(3);
  expect(lines.filter((l) => /^\[Epoch \d\] Finished/.test(l)).map((l) => l.slice(0, 8))).toEqual(['[Epoch 2', '[Epoch 3', '[Epoch 4']);
  expect(fs.existsSync(path.join(dir, 'model-epoch5.params'))).toBe(true);
  const w = weights(second.net);
  weights(full.net).forEach((a, i) => a.forEach((v, j) => expect(w[i][j]).toBeCloseTo(v, 5)));
  expect(history['validation softmaxcrossentropyloss'][2]).toBeCloseTo(fullHistory['validation softmaxcrossentropyloss'][4], 5);
});

test('without a TTY the logging handler writes plain lines', () => {
  const { trainData, valData, net, trainer, loss } = setup();
  const est = new Estimator({ net, loss, trainer });
  const lines: string[] = [];
  est.fit(trainData, { valData, epochs: 2, eventHandlers: new LoggingHandler({ write: (l) => lines.push(l), progressBar: false }) });
  expect(lines[0]).toBe('Training begin: using optimizer SGD with current learning rate 0.1000');
  expect(lines[1]).toBe('Train for 2 epochs.');
  expect(lines[2]).toBe('[Epoch 0] Begin, current learning rate: 0.1000');
  expect(lines[3]).toMatch(/^\[Epoch 0\] Finished in [\d.]+s, training accuracy: [\d.]+, training softmaxcrossentropyloss: [\d.]+, validation accuracy: [\d.]+, validation softmaxcrossentropyloss: [\d.]+$/);
  expect(lines[5]).toMatch(/^\[Epoch 1\] Finished/);
  expect(lines[6]).toMatch(/^Train finished using total [\d.]+s with 2 epochs\. training accuracy/);
  expect(lines).toHaveLength(7);
  const batchLines: string[] = [];
  est.fit(trainData, { epochs: 1, eventHandlers: new LoggingHandler({ logInterval: 2, write: (l) => batchLines.push(l), progressBar: false }) });
  expect(batchLines.filter((l) => l.includes('[Batch')).map((l) => /\[Batch (\d+)\]\[Samples (\d+)\]/.exec(l)!.slice(1).join())).toEqual(['1,40', '3,80', '5,120']);
});

test('handlers run in priority order (metrics and validation first, logging last), hooks in MXNet order', () => {
  const { trainData, valData, net, trainer, loss } = setup();
  const est = new Estimator({ net, loss, trainer });
  const seen: string[] = [];
  const spy = (tag: string, priority: number): Handler => ({
    priority,
    trainBegin: () => void seen.push(`${tag}:trainBegin`),
    epochBegin: () => void seen.push(`${tag}:epochBegin`),
    batchBegin: () => void seen.push(`${tag}:batchBegin`),
    batchEnd: () => void seen.push(`${tag}:batchEnd`),
    epochEnd: () => void seen.push(`${tag}:epochEnd:${Number.isNaN(est.valMetrics[0].get()[1]) ? 'noval' : 'val'}`),
    trainEnd: () => void seen.push(`${tag}:trainEnd`),
  });
  const logger = new LoggingHandler({ write: (l) => void seen.push(`log:${l.slice(0, 12)}`), progressBar: false });
  est.fit(trainData, { valData, batches: 2, eventHandlers: [logger, spy('b', 5), spy('a', -5)] });
  expect(seen).toEqual([
    'a:trainBegin', 'b:trainBegin', 'log:Training beg', 'log:Train for 2 ',
    'a:epochBegin', 'b:epochBegin', 'log:[Epoch 0] Be',
    'a:batchBegin', 'b:batchBegin', 'a:batchEnd', 'b:batchEnd',
    'a:batchBegin', 'b:batchBegin', 'a:batchEnd', 'b:batchEnd',
    'a:epochEnd:val', 'b:epochEnd:val', 'log:[Epoch 0] Fi',
    'a:trainEnd', 'b:trainEnd', 'log:Train finish',
  ]);
});

test('bad arguments are errors naming the argument', () => {
  const { trainData, net, trainer, loss } = setup();
  const est = new Estimator({ net, loss, trainer });
  expect(() => est.fit(trainData, {})).toThrow(/exactly one of epochs or batches/);
  expect(() => est.fit(trainData, { epochs: 0 })).toThrow(/epochs must be a positive integer, got 0/);
  expect(() => est.fit(null as never, { epochs: 1 })).toThrow(/trainData must be a DataLoader/);
  expect(() => est.fit(trainData, { epochs: 1, eventHandlers: [42 as never] })).toThrow(/eventHandlers must be objects/);
  expect(() => new Estimator({ net, loss, trainer, trainMetrics: ['acc' as never] })).toThrow(/trainMetrics must be EvalMetrics/);
  expect(() => new EarlyStoppingHandler({ monitor: est.valMetrics[0], mode: 'up' as never })).toThrow(/mode must be 'auto', 'min' or 'max', got up/);
  expect(() => new CheckpointHandler({ modelDir: '' })).toThrow(/modelDir must be a directory path/);
  expect(() => new CheckpointHandler({ modelDir: 'x', saveBest: true })).toThrow(/saveBest needs a monitor/);
  expect(() => new LoggingHandler({ logInterval: -1 })).toThrow(/logInterval must be a positive integer, got -1/);
});

test('loading ndgrad and fitting without a TTY do not load cli-progress; a TTY bar does', () => {
  const script = (bar: boolean) => `
    const { gluon, nd, init } = require(${JSON.stringify(path.join(__dirname, '..'))});
    const net = new gluon.nn.Dense(2); net.initialize(new init.Xavier());
    const data = new gluon.data.DataLoader(new gluon.data.ArrayDataset(nd.ones([4, 3]), nd.zeros([4])), { batchSize: 2 });
    const est = new gluon.contrib.estimator.Estimator({ net, loss: new gluon.loss.SoftmaxCrossEntropyLoss(), trainer: new gluon.Trainer(net.collectParams(), 'sgd') });
    est.fit(data, { epochs: 1, eventHandlers: new gluon.contrib.estimator.LoggingHandler({ progressBar: ${bar}, write: () => {} }) });
    console.log(Object.keys(require.cache).some((f) => f.includes('${path.sep}cli-progress${path.sep}')));`;
  const run = (bar: boolean) => spawnSync(process.execPath, ['-e', script(bar)], { encoding: 'utf8' });
  const plain = run(false);
  expect(plain.stderr).toBe('');
  expect(plain.stdout.trim()).toBe('false');
  const bar = run(true);
  expect(bar.stdout.trim().split('\n').pop()).toBe('true');
});
