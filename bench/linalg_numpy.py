#!/usr/bin/env python3
"""NumPy side of bench/linalg.js: reads one row name per line on stdin, times it (median of
`reps` calls after a warm-up) and prints the median in milliseconds."""
import sys
import time

import numpy as np

rng = np.random.default_rng(7)


def spd(b, n, dtype):
    a = rng.standard_normal((b, n, n))
    return (a @ np.swapaxes(a, -1, -2) / n + np.eye(n)).astype(dtype)


ROWS = {}


def row(name, make, fn):
    ROWS[name] = (make, fn)


for dt in ('float32', 'float64'):
    row(f'potrf 8x256x256 {dt}', lambda dt=dt: spd(8, 256, dt), np.linalg.cholesky)
    row(f'inverse 8x256x256 {dt}', lambda dt=dt: spd(8, 256, dt), np.linalg.inv)
    row(f'gemm2 8x256x256 {dt}', lambda dt=dt: rng.standard_normal((8, 256, 256)).astype(dt), lambda a: a @ a)
row('syevd 64x16x16 float64', lambda: spd(64, 16, 'float64'), np.linalg.eigh)


def main():
    for line in sys.stdin:
        name, reps = line.strip().rsplit(' ', 1)
        make, fn = ROWS[name]
        x = make()
        fn(x)
        times = []
        for _ in range(int(reps)):
            t = time.perf_counter()
            fn(x)
            times.append((time.perf_counter() - t) * 1e3)
        print(float(np.median(times)), flush=True)


if __name__ == '__main__':
    main()
