# NumPy counterpart of session15-transc15-ab.js: thread CPU time per element of np.log / np.tanh
# on 1e6 float32 uniform [0.5, 1.5], out= a preallocated array; best and median of N calls.
#   python3 session15-transc15-numpy.py log|tanh [calls]
import sys, time
import numpy as np
op = getattr(np, sys.argv[1])
calls = int(sys.argv[2]) if len(sys.argv) > 2 else 200
a = np.random.default_rng(1).uniform(0.5, 1.5, 1000000).astype(np.float32)
out = np.empty_like(a)
ts = []
for i in range(calls + 20):
    t0 = time.thread_time_ns()
    op(a, out=out)
    if i >= 20:
        ts.append((time.thread_time_ns() - t0) / a.size)
ts.sort()
print('%s numpy best %.3f median %.3f ns/elem' % (sys.argv[1], ts[0], ts[len(ts) // 2]))
