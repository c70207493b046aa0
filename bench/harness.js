'use strict';
// Timing harness shared by the JS engines; bench/numpy_bench.py implements the same procedure.
//
//   1. warm-up: call fn repeatedly for at least WARMUP_MS (and at least 3 calls);
//   2. calibrate: pick `iters` (calls per sample) so one sample takes >= the sample floor
//      (SMALL_SAMPLE_MS for small-op rows, so GC and timer noise are amortised over many calls;
//      BIG_SAMPLE_MS otherwise, so a 1e6 op is batched a few times but dot 1024 is 1 call);
//   3. take samples until MAX_SAMPLES or the row's time budget is spent (never fewer than
//      MIN_SAMPLES); report the MEDIAN per-call wall time, plus min/max for a stability check and
//      the median per-call process CPU time (all threads; immune to being descheduled by other
//      processes, but it adds up the CPU of every thread, so it is not wall time for parallel ops).

const WARMUP_MS = 250;
const SMALL_SAMPLE_MS = 50;
const BIG_SAMPLE_MS = 10;
const MIN_SAMPLES = 7;
const MAX_SAMPLES = 31;
const BUDGET_MS = 2500;

function nowNs() {
  return process.hrtime.bigint();
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** fn(iters) runs the op `iters` times. Returns per-call nanoseconds. */
function measure(fn, { small = false, quick = false } = {}) {
  const warmupMs = quick ? WARMUP_MS / 5 : WARMUP_MS;
  const budgetMs = quick ? BUDGET_MS / 5 : BUDGET_MS;
  const minSamples = quick ? 3 : MIN_SAMPLES;
  // warm-up
  let calls = 0;
  const w0 = nowNs();
  let batch = 1;
  while (calls < 3 || Number(nowNs() - w0) < warmupMs * 1e6) {
    fn(batch);
    calls += batch;
    if (Number(nowNs() - w0) < warmupMs * 1e5) batch *= 2; // grow quickly for tiny ops
  }
  // calibrate on the warm function: smallest power-of-two-ish batch reaching the sample floor
  const floorNs = (small ? SMALL_SAMPLE_MS : BIG_SAMPLE_MS) * 1e6;
  let iters = 1;
  for (;;) {
    const a = nowNs();
    fn(iters);
    const t = Number(nowNs() - a);
    if (t >= floorNs) break;
    const grow = t > 0 ? Math.ceil((floorNs / t) * 1.1) : 16;
    iters = Math.max(iters + 1, Math.min(iters * grow, iters * 16));
  }

  const samples = [];
  const cpu = []; // process CPU time per call (all threads): robust to other processes' load
  const start = nowNs();
  while (samples.length < MAX_SAMPLES) {
    const c0 = process.cpuUsage();
    const a = nowNs();
    fn(iters);
    const b = nowNs();
    const c = process.cpuUsage(c0);
    samples.push(Number(b - a) / iters);
    cpu.push(((c.user + c.system) * 1e3) / iters);
    if (samples.length >= minSamples && Number(b - start) > budgetMs * 1e6) break;
  }
  return {
    median_ns: median(samples),
    cpu_median_ns: median(cpu),
    min_ns: Math.min(...samples),
    max_ns: Math.max(...samples),
    samples: samples.length,
    iters,
  };
}

module.exports = { measure, median, WARMUP_MS, SMALL_SAMPLE_MS, BIG_SAMPLE_MS, MIN_SAMPLES, MAX_SAMPLES, BUDGET_MS };
