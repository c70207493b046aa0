#!/usr/bin/env python3
"""PyTorch side of bench/nn_pool_norm.js: a server that times one row per request.

Reads lines "<row> <reps>" on stdin and answers with the median seconds per call as JSON; the
row "bandwidth" answers the copy bandwidth (GB/s read + write) of a 256 MiB tensor.
torch.set_num_threads(N) with N the first argument (default 2), float32, the same shapes as the
JS side (see ROWS there)."""
import json
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
torch.manual_seed(0)


def make():
    x = torch.rand(16, 64, 56, 56) * 4 - 2
    ln = torch.rand(4096, 784) * 4 - 2
    c = 64
    return {
        'x': x, 'xg': x.clone().requires_grad_(), 'gamma': torch.rand(c).requires_grad_(), 'beta': torch.rand(c).requires_grad_(),
        'mm': torch.zeros(c), 'mv': torch.ones(c), 'dy': torch.rand(16, 64, 56, 56),
        'ln': ln.clone().requires_grad_(), 'lg': torch.rand(784).requires_grad_(), 'lb': torch.rand(784).requires_grad_(),
        'ldy': torch.rand(4096, 784),
    }


D = make()


def clear(*ts):
    for t in ts:
        t.grad = None


def row_maxpool():
    F.max_pool2d(D['x'], 2, 2)


def row_maxpool_train():
    y = F.max_pool2d(D['xg'], 2, 2)
    y.backward(torch.ones_like(y))
    clear(D['xg'])


def row_gap():
    F.adaptive_avg_pool2d(D['x'], 1)


def row_bn_train():
    y = F.batch_norm(D['xg'], D['mm'], D['mv'], D['gamma'], D['beta'], training=True, momentum=0.1, eps=1e-3)
    y.backward(D['dy'])
    clear(D['xg'], D['gamma'], D['beta'])


def row_ln_train():
    y = F.layer_norm(D['ln'], (784,), D['lg'], D['lb'], 1e-5)
    y.backward(D['ldy'])
    clear(D['ln'], D['lg'], D['lb'])


ROWS = {'maxpool': row_maxpool, 'maxpool_train': row_maxpool_train, 'gap': row_gap, 'bn_train': row_bn_train,
        'ln_train': row_ln_train}


def main():
    print(json.dumps({'ready': torch.__version__}), flush=True)
    for line in sys.stdin:
        name, reps = line.split()
        if name == 'bandwidth':
            a, b = torch.ones(64 << 20), torch.empty(64 << 20)
            b.copy_(a)
            times = []
            for _ in range(int(reps)):
                t0 = time.perf_counter()
                b.copy_(a)
                times.append(time.perf_counter() - t0)
            print(json.dumps({'row': name, 'gbs': 2 * a.numel() * 4 / sorted(times)[len(times) // 2] / 1e9}), flush=True)
            continue
        f = ROWS[name]
        f()
        times = []
        for _ in range(int(reps)):
            t0 = time.perf_counter()
            f()
            times.append(time.perf_counter() - t0)
        times.sort()
        print(json.dumps({'row': name, 'median': times[len(times) // 2]}), flush=True)


if __name__ == '__main__':
    main()
