#!/usr/bin/python3
"""PyTorch side of bench/nn_conv.js: serves the convolution rows over stdin/stdout.

Each input line is a JSON request {"row": name, "reps": n}; the answer is one JSON line with the
per-call wall times in seconds. Rows are set up once (first request), as the node side does.
torch.set_num_threads(int(os.environ.get('BENCH_TORCH_THREADS', '2'))): the machine's two cores, as ndgrad's pool (BENCH_TORCH_THREADS=1 for
the one-thread comparison, with NDGRAD_NUM_THREADS=1 on the node side).
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get('BENCH_TORCH_THREADS', '2')))
torch.manual_seed(0)


def rnd(*shape, grad=False):
    return (torch.rand(*shape) - 0.5).requires_grad_(grad)


def make(row):
    if row == 'conv3x3 fwd':
        x, w = rnd(16, 64, 56, 56), rnd(64, 64, 3, 3)
        return lambda: F.conv2d(x, w, padding=1)
    if row == 'conv3x3 fwd+bwd':
        x, w = rnd(16, 64, 56, 56, grad=True), rnd(64, 64, 3, 3, grad=True)

        def step():
            F.conv2d(x, w, padding=1).sum().backward()
            x.grad = None
            w.grad = None
        return step
    if row == 'lenet fwd+bwd':
        x, w1, w2 = rnd(256, 1, 28, 28), rnd(6, 1, 5, 5, grad=True), rnd(16, 6, 3, 3, grad=True)

        def step():
            F.conv2d(F.conv2d(x, w1), w2).sum().backward()
            w1.grad = None
            w2.grad = None
        return step
    if row == 'depthwise fwd':
        x, w = rnd(16, 128, 28, 28), rnd(128, 1, 3, 3)
        return lambda: F.conv2d(x, w, padding=1, groups=128)
    if row == 'depthwise fwd+bwd':
        x, w = rnd(16, 128, 28, 28, grad=True), rnd(128, 1, 3, 3, grad=True)

        def step():
            F.conv2d(x, w, padding=1, groups=128).sum().backward()
            x.grad = None
            w.grad = None
        return step
    if row == '1x1 fwd':
        x, w = rnd(16, 256, 28, 28), rnd(64, 256, 1, 1)
        return lambda: F.conv2d(x, w)
    raise ValueError(row)


def main():
    fns = {}
    print(json.dumps({'engine': 'pytorch', 'version': torch.__version__, 'threads': torch.get_num_threads(),
                      'mkldnn': torch.backends.mkldnn.is_available()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        fn = fns.get(req['row']) or fns.setdefault(req['row'], make(req['row']))
        times = []
        with torch.no_grad() if 'bwd' not in req['row'] else torch.enable_grad():
            for _ in range(req['reps']):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
        print(json.dumps({'times': times}), flush=True)


main()
