#!/usr/bin/python3
"""PyTorch side of bench/train_step.js and bench/train_epoch.js, served over stdin/stdout.

Each input line is a JSON request {"row": name, "reps": n}; the answer is one JSON line with the
per-call wall times in seconds. Rows: 'mlp' (784-256-10, batch 64) and 'lenet' (the crash-course
LeNet, batch 256) train steps: forward, cross-entropy, backward, SGD step; 'epoch': one epoch of
the LeNet over the 60,000 Fashion-MNIST training images through torch.utils.data over in-memory
tensors (shuffle, per-batch ToTensor + Normalize), answering also the seconds spent loading.
torch.set_num_threads(int(os.environ.get('BENCH_TORCH_THREADS', '2'))).
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(int(os.environ.get('BENCH_TORCH_THREADS', '2')))
torch.manual_seed(0)
ROOT = os.environ.get('BENCH_FASHION_ROOT', '/usr/share/datasets/fashion-mnist')


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def stepper(net):
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
    return step


def idx(name, offset):
    with gzip.open(f'{ROOT}/{name}.gz', 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def make(row):
    if row == 'mlp':
        step = stepper(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)))
        x, y = torch.rand(64, 784), torch.randint(0, 10, (64,))
        return lambda: (step(x, y), 0.0)[1]
    if row == 'lenet':
        step = stepper(lenet())
        x, y = torch.rand(256, 1, 28, 28), torch.randint(0, 10, (256,))
        return lambda: (step(x, y), 0.0)[1]
    if row == 'epoch':
        step = stepper(lenet())
        images = torch.from_numpy(idx('train-images-idx3-ubyte', 16).reshape(-1, 28, 28, 1).copy())
        labels = torch.from_numpy(idx('train-labels-idx1-ubyte', 8).astype(np.int64))
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels), batch_size=256, shuffle=True)

        def epoch():
            loading = 0.0
            it = iter(loader)
            while True:
                t0 = time.perf_counter()
                try:
                    data, label = next(it)
                except StopIteration:
                    return loading
                data = data.permute(0, 3, 1, 2).float().div(255).sub(0.13).div(0.31)
                loading += time.perf_counter() - t0
                step(data, label)
        return epoch
    raise ValueError(row)


made = {}
print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    fn = made.setdefault(req['row'], make(req['row']))
    times, loading = [], []
    for _ in range(req['reps']):
        t0 = time.perf_counter()
        loading.append(fn())
        times.append(time.perf_counter() - t0)
    print(json.dumps({'times': times, 'loading': loading}), flush=True)
