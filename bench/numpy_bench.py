#!/usr/bin/env python3
"""NumPy side of the ndgrad benchmark suite.

Reads the row list (JSON, from bench/rows.js) on stdin, prints one JSON object
{"info": {...}, "results": {row name: {...}}} on stdout. bench/run.js starts it with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from the environment (they slow down a current
NumPy on the benchmark machine).

Timing follows bench/harness.js exactly: warm-up >= 250 ms, calibrate calls per sample to reach a
floor (50 ms small-op rows, 10 ms others), then samples until 31 or a 2.5 s budget (at least 7),
and the MEDIAN per-call time. Each call allocates its result (`a + b`), which is freed when the
name is rebound (refcount), i.e. the same work the ndgrad side does with `a.add(b).dispose()`.
"""
import ctypes
import gc
import glob
import json
import os
import platform
import resource
import sys
import time

import numpy as np

WARMUP_MS = 250
SMALL_SAMPLE_MS = 50
BIG_SAMPLE_MS = 10
MIN_SAMPLES = 7
MAX_SAMPLES = 31
BUDGET_MS = 2500
CHAIN_OPS = 100
CHAIN_PATTERN = ["mul_x", "add_x", "tanh", "sub_x"]

now = time.perf_counter_ns


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def measure(fn, small=False, quick=False):
    warmup_ms = WARMUP_MS / 5 if quick else WARMUP_MS
    budget_ms = BUDGET_MS / 5 if quick else BUDGET_MS
    min_samples = 3 if quick else MIN_SAMPLES
    calls, batch, w0 = 0, 1, now()
    while calls < 3 or now() - w0 < warmup_ms * 1e6:
        fn(batch)
        calls += batch
        if now() - w0 < warmup_ms * 1e5:
            batch *= 2
    floor_ns = (SMALL_SAMPLE_MS if small else BIG_SAMPLE_MS) * 1e6
    iters = 1
    while True:
        a = now()
        fn(iters)
        t = now() - a
        if t >= floor_ns:
            break
        grow = int(-(-floor_ns * 1.1 // t)) if t > 0 else 16
        iters = max(iters + 1, min(iters * grow, iters * 16))
    samples, cpu = [], []
    start = now()
    while len(samples) < MAX_SAMPLES:
        c0 = time.process_time_ns()
        a = now()
        fn(iters)
        b = now()
        cpu.append((time.process_time_ns() - c0) / iters)
        samples.append((b - a) / iters)
        if len(samples) >= min_samples and b - start > budget_ms * 1e6:
            break
    return {
        "median_ns": median(samples),
        "cpu_median_ns": median(cpu),
        "min_ns": min(samples),
        "max_ns": max(samples),
        "samples": len(samples),
        "iters": iters,
    }


def rand(rng, shape):
    return rng.uniform(0.5, 1.5, size=tuple(shape)).astype(np.float32)


def sigmoid(x):
    # NumPy has no sigmoid; this is the usual spelling (2 temporaries + the result)
    return 1.0 / (1.0 + np.exp(-x))


def chain(x):
    y = x
    for i in range(CHAIN_OPS):
        p = CHAIN_PATTERN[i % len(CHAIN_PATTERN)]
        if p == "mul_x":
            y = y * x
        elif p == "add_x":
            y = y + x
        elif p == "tanh":
            y = np.tanh(y)
        else:
            y = y - x
    return y


def prepare(row, rng):
    kind = row["kind"]
    a = rand(rng, row["shape"])
    b = rand(rng, row.get("shapeB", row["shape"])) if kind in ("binary", "dot", "batchdot", "concat") else None
    if kind == "binary":
        ufunc = {"add": np.add, "mul": np.multiply}.get(row["op"])
        if ufunc is None:
            return None
        if row["op"] == "add":
            def f(n):
                for _ in range(n):
                    r = a + b  # noqa: F841
        else:
            def f(n):
                for _ in range(n):
                    r = a * b  # noqa: F841
        return f
    if kind == "unary":
        g = {"exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": sigmoid}.get(row["op"])
        if g is None:
            return None

        def f(n):
            for _ in range(n):
                r = g(a)  # noqa: F841
        return f
    if kind == "reduce":
        op, axis = row["op"], row.get("axis")
        if op == "norm" and axis is None:
            g = lambda: np.linalg.norm(a)  # noqa: E731
        elif op == "sum":
            g = (lambda: a.sum()) if axis is None else (lambda: a.sum(axis=axis))  # noqa: E731
        elif op == "max":
            g = (lambda: a.max()) if axis is None else (lambda: a.max(axis=axis))  # noqa: E731
        else:
            return None

        def f(n):
            for _ in range(n):
                r = g()  # noqa: F841
        return f
    if kind == "softmax":
        def f(n):
            for _ in range(n):
                e = np.exp(a - a.max(axis=-1, keepdims=True))
                r = e / e.sum(axis=-1, keepdims=True)  # noqa: F841
        return f
    if kind == "sort":
        def f(n):
            for _ in range(n):
                r = np.sort(a, axis=-1)  # noqa: F841
        return f
    if kind == "concat":
        def f(n):
            for _ in range(n):
                r = np.concatenate([a, b], axis=1)  # noqa: F841
        return f
    if kind in ("dot", "batchdot"):
        # a transposed operand is a view, as nd.dot's transposeA/B read the stored array
        if row.get("transposeA"):
            a = a.T
        if row.get("transposeB"):
            b = b.T

        def f(n):
            for _ in range(n):
                r = a @ b  # noqa: F841
        return f
    if kind == "take":
        idx = rng.integers(0, a.shape[0], a.shape[0])  # int64, NumPy's own index type

        def f(n):
            for _ in range(n):
                r = np.take(a, idx)  # noqa: F841
        return f
    if kind == "chain":
        def f(n):
            for _ in range(n):
                r = chain(a)  # noqa: F841
        return f
    return None  # 'grad': NumPy has no autograd


def openblas_info():
    """BLAS library, core type and thread count, read from the bundled OpenBLAS via ctypes
    (threadpoolctl is not installed on the benchmark machine)."""
    out = {}
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        out["blas_name"] = blas.get("name")
        out["blas_version"] = blas.get("version")
        out["blas_config"] = blas.get("openblas configuration")
        simd = cfg.get("SIMD Extensions", {})
        out["numpy_simd_baseline"] = simd.get("baseline")
        out["numpy_simd_found"] = simd.get("found")
    except Exception as e:  # pragma: no cover
        out["show_config_error"] = str(e)
    try:
        import threadpoolctl  # noqa: F401

        out["threadpoolctl"] = threadpoolctl.threadpool_info()
    except Exception:
        libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs", "*openblas*.so*"))
        libs += glob.glob(os.path.join(os.path.dirname(np.__file__), ".libs", "*openblas*.so*"))
        for path in libs:
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "64_"), ("openblas_", "")):
                try:
                    nt = getattr(lib, prefix + "get_num_threads" + suffix)
                    core = getattr(lib, prefix + "get_corename" + suffix)
                    core.restype = ctypes.c_char_p
                    out["blas_threads"] = int(nt())
                    out["blas_corename"] = core().decode()
                    out["blas_lib"] = os.path.basename(path)
                    break
                except AttributeError:
                    continue
            if "blas_threads" in out:
                break
    return out


def run_row(row, rng, quick, long=False):
    """long: one process runs every row as a script would (bench/run.js --long), no collection
    forced between rows. Also counts the calls made and the minor page faults they cost."""
    if not long:
        gc.collect()
    g = prepare(row, rng)
    if g is None:
        return {"skipped": "no NumPy equivalent (no autograd)" if row["kind"] == "grad" else "op not available"}
    calls = [0]

    def f(n):
        calls[0] += n
        g(n)
    faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    c0, w0 = time.process_time_ns(), now()
    m = measure(f, small=bool(row.get("small")), quick=quick)
    m["wall_ns"] = now() - w0
    m["cpu_ns"] = time.process_time_ns() - c0
    m["calls"] = calls[0]
    m["minor_faults"] = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0
    div = row.get("perOp") or 1
    for k in ("median_ns", "cpu_median_ns", "min_ns", "max_ns"):
        m[k] /= div
    return m


def info():
    out = {
        "engine": "numpy",
        "numpy": np.__version__,
        "python": platform.python_version(),
        "elementwise_threads": 1,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
    }
    out.update(openblas_info())
    return out


def main():
    """Batch mode (default): rows JSON on stdin -> one JSON object on stdout.
    --serve: line protocol used by bench/run.js: print {"info"}, then answer each request line
    {"row": {...}} with {"name", "result"}; an empty line or EOF ends it. --long: the
    long-process mode (see run_row)."""
    quick = "--quick" in sys.argv
    long = "--long" in sys.argv
    rng = np.random.default_rng(0)
    if "--serve" in sys.argv:
        sys.stdout.write(json.dumps({"info": info()}) + "\n")
        sys.stdout.flush()
        for line in sys.stdin:
            if not line.strip():
                break
            row = json.loads(line)["row"]
            sys.stdout.write(json.dumps({"name": row["name"], "result": run_row(row, rng, quick, long)}) + "\n")
            sys.stdout.flush()
        return
    rows = json.load(sys.stdin)
    results = {row["name"]: run_row(row, rng, quick) for row in rows}
    sys.stdout.write(json.dumps({"info": info(), "results": results}) + "\n")


if __name__ == "__main__":
    main()
