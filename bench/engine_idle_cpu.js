#!/usr/bin/env node
'use strict';
// Whether the engines of bench/train_step.js take CPU from each other while they alternate: the
// CPU time a PyTorch child (2 threads, after its run and the bench's 500 ms pause) uses while
// ndgrad runs gluon MLP steps for a second, and the CPU time ndgrad's process uses while PyTorch
// runs its steps. Linux only (/proc). Both near zero: each engine runs while the other is idle.
//   node bench/engine_idle_cpu.js [rounds=3]
const fs = require('fs');
const path = require('path');
const { torchServer, run } = require('./common');
const { autograd, gluon, init, nd } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

/** utime + stime of a process, in ms (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main() {
  const rounds = Number(process.argv[2] || 3);
  const torch = torchServer('train_torch.py', 2);
  await torch.info;
  const x = nd.random.uniform({ shape: [64, 784] });
  const y = nd.random.randint({ low: 0, high: 10, shape: [64], dtype: 'float32' });
  const net = new gluon.nn.Sequential().add(new gluon.nn.Dense(256, { activation: 'relu' }), new gluon.nn.Dense(10));
  net.initialize(new init.Xavier());
  const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
  const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });
  const step = () => nd.tidy(() => {
    autograd.record(() => lossFn.forward(net.forward(x), y)).backward();
    trainer.step(64);
  });
  for (let r = 0; r < rounds; r++) {
    await torch.run('mlp', 200);
    const t0 = cpuMs(torch.pid);
    const me = process.cpuUsage();
    const start = Date.now();
    let steps = 0;
    for (; Date.now() - start < 1000; steps++) step();
    const mine = process.cpuUsage(me);
    console.log(`PyTorch child: ${cpuMs(torch.pid) - t0} ms CPU during 1 s of ndgrad steps (${steps} steps, ndgrad ${((mine.user + mine.system) / 1e3).toFixed(0)} ms CPU)`);
    const before = process.cpuUsage();
    const wall = Date.now();
    await torch.run('mlp', 300);
    const idle = process.cpuUsage(before);
    console.log(`ndgrad process: ${((idle.user + idle.system) / 1e3).toFixed(1)} ms CPU during PyTorch's ${Date.now() - wall} ms (300 steps and the 500 ms pause)`);
  }
  torch.close();
}

run(main);
