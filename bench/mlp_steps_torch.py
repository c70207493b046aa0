#!/usr/bin/python3
"""PyTorch's side of bench/mlp_steps.js: a fixed number of MLP 784-256-10 train steps (batch 64,
random data, CrossEntropyLoss, SGD), as bench/train_torch.py's 'mlp' row, for whole-process
CPU-time comparisons. torch.set_num_threads(BENCH_TORCH_THREADS, default 2).

    /usr/bin/python3 bench/mlp_steps_torch.py [steps=2000]
"""
import os
import sys

import torch
import torch.nn as nn

torch.set_num_threads(int(os.environ.get('BENCH_TORCH_THREADS', '2')))
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
x, y = torch.rand(64, 784), torch.randint(0, 10, (64,))
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2000):
    opt.zero_grad(set_to_none=True)
    loss_fn(net(x), y).backward()
    opt.step()
