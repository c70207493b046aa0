"""PyTorch side of bench/nnact.js: times the same rows on the CPU, two threads.

    /usr/bin/python3 bench/nnact_torch.py ROUNDS    (prints {"row": median seconds, ...} as JSON)
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)


def median_time(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def rows():
    n = 1_000_000
    x = (torch.arange(n, dtype=torch.float32) % 2003) / 200 - 5
    xg = x.clone().requires_grad_(True)

    def fwd_bwd(f):
        def run():
            xg.grad = None
            f(xg).backward(torch.ones(n))
        return run

    vocab, dim = 10000, 128
    idx = (torch.arange(32 * 64) * 7919) % vocab
    w = torch.randn(vocab, dim, requires_grad=True)
    g = torch.ones(32 * 64, dim)

    def emb_fb():
        w.grad = None
        F.embedding(idx, w).backward(g)

    with torch.no_grad():
        yield 'relu 1e6 forward', lambda: torch.relu(x)
        yield 'gelu 1e6 forward', lambda: F.gelu(x)
        yield 'embedding 10000x128, 2048 indices forward', lambda: F.embedding(idx, w)
    yield 'relu 1e6 forward+backward', fwd_bwd(torch.relu)
    yield 'gelu 1e6 forward+backward', fwd_bwd(F.gelu)
    yield 'embedding 10000x128, 2048 indices forward+backward', emb_fb


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(json.dumps({name: median_time(fn, reps) for name, fn in rows()}))


if __name__ == '__main__':
    main()
