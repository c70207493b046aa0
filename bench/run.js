#!/usr/bin/env node
'use strict';
// ndgrad benchmark suite: ndgrad vs NumPy vs TensorFlow.js (cpu and wasm backends), one run.
//
//   node bench/run.js                    all rows, all engines, text table
//   node bench/run.js dot                only rows whose name/kind/op contains "dot"
//   node bench/run.js "add,sum"          several filters (any match)
//   node bench/run.js --json             machine-readable output on stdout (progress on stderr)
//   node bench/run.js --md               markdown table (what bench/RESULTS.md embeds)
//   node bench/run.js --out=FILE         also write the JSON to FILE
//   node bench/run.js --from=FILE --md   re-render a saved JSON run (no measuring)
//   node bench/run.js --quick            shorter warm-up/budget (smoke test, noisier)
//   node bench/run.js --rounds=3         measure every row 3 times per engine, report the median
//   node bench/run.js --engines=ndgrad,numpy     subset of: ndgrad ndgrad-1t numpy numpy-1t tfjs-cpu tfjs-wasm
//   node bench/run.js --tfjs-sync        put dataSync() inside tfjs's timed region
//   node bench/run.js --reuse            one process per engine for all rows (default: fresh per row)
//   node bench/run.js --stat=cpu         render per-call process CPU time instead of wall (or min)
//   node bench/run.js --long             long-process mode: ndgrad without dispose(), ndgrad with it,
//                                        NumPy; one process per engine runs every row in sequence
//
// --long is the way users write it: ndgrad-gc is ndgrad with every result rebound and never
// disposed (the collector frees them), in one process that runs all rows in sequence and is never
// made to collect between rows; ndgrad (results disposed) and NumPy run alongside in one process
// each. The table reports both ndgrad columns, their ratio, and per call the minor page faults
// and the collections counted from --trace-gc.
//
// Every engine is its own child process (a fresh one per row unless --reuse), driven over a line
// protocol:
//   ndgrad     node bench/worker.js ndgrad   (default threads: NDGRAD_NUM_THREADS or all cores)
//   ndgrad-1t  the same with NDGRAD_NUM_THREADS=1
//   numpy      python3 bench/numpy_bench.py --serve  (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE removed
//              from its environment only; OpenBLAS picks its default thread count)
//   numpy-1t   the same with OPENBLAS_NUM_THREADS=1 (measured only on the rows that call BLAS)
//   tfjs-cpu, tfjs-wasm   node bench/worker.js tfjs-cpu|tfjs-wasm
// Rows are measured one engine at a time (never concurrently) and INTERLEAVED: row 1 on every
// engine, then row 2, ... (engine order rotated per row), so a change in background load hits all
// engines of a row alike instead of biasing whichever engine ran during the busy minute. For every
// measurement the harness also records how much CPU *other* processes used (from /proc/stat),
// reported as "background load" so a noisy run is visible.
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { selectRows } = require('./rows');

const ALL_ENGINES = ['ndgrad', 'ndgrad-1t', 'ndgrad-gc', 'numpy', 'numpy-1t', 'tfjs-cpu', 'tfjs-wasm'];
const LONG_ENGINES = ['ndgrad-gc', 'ndgrad', 'numpy'];

function parseArgs(argv) {
  const opts = { json: false, md: false, quick: false, sync: false, out: null, from: null, engines: null, filter: null, rounds: 1, reuse: false, long: false, stat: 'median' };
  const filters = [];
  for (const a of argv) {
    if (a === '--json') opts.json = true;
    else if (a === '--md' || a === '--markdown') opts.md = true;
    else if (a === '--quick') opts.quick = true;
    else if (a === '--tfjs-sync') opts.sync = true;
    else if (a === '--reuse') opts.reuse = true;
    else if (a === '--long') opts.long = true;
    else if (a.startsWith('--stat=')) opts.stat = a.slice(7);
    else if (a.startsWith('--out=')) opts.out = a.slice(6);
    else if (a.startsWith('--from=')) opts.from = a.slice(7);
    else if (a.startsWith('--rounds=')) opts.rounds = Math.max(1, parseInt(a.slice(9), 10) || 1);
    else if (a.startsWith('--engines=')) opts.engines = a.slice(10).split(',').filter(Boolean);
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else filters.push(a);
  }
  if (opts.long) opts.reuse = true;
  if (!opts.engines) opts.engines = opts.long ? LONG_ENGINES : ALL_ENGINES.filter((e) => e !== 'ndgrad-gc');
  for (const e of opts.engines) if (!ALL_ENGINES.includes(e)) throw new Error(`unknown engine ${e}`);
  opts.filter = filters.length ? filters.join(',') : null;
  return opts;
}

function rowsFor(filter) {
  if (!filter) return selectRows(null);
  const seen = new Set();
  const out = [];
  for (const f of filter.split(',').map((s) => s.trim()).filter(Boolean)) {
    for (const r of selectRows(f)) if (!seen.has(r.name)) { seen.add(r.name); out.push(r); }
  }
  // keep the canonical order
  const order = selectRows(null).map((r) => r.name);
  return out.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

// ---- child processes -------------------------------------------------------------------------

class Child {
  constructor(engine, opts) {
    this.engine = engine;
    this.opts = opts;
    const env = { ...process.env };
    let cmd;
    let args;
    if (engine === 'numpy' || engine === 'numpy-1t') {
      cmd = process.env.PYTHON || 'python3';
      args = [path.join(__dirname, 'numpy_bench.py'), '--serve'];
      delete env.OPENBLAS_CORETYPE; // these two slow a current NumPy down on this machine
      delete env.OPENBLAS_L2_SIZE;
      if (engine === 'numpy-1t') env.OPENBLAS_NUM_THREADS = '1';
      if (opts.long) args.push('--long');
    } else {
      cmd = process.execPath;
      const name = engine.startsWith('ndgrad') ? 'ndgrad' : engine;
      args = opts.long ? ['--trace-gc', path.join(__dirname, 'worker.js'), name, '--long'] : ['--expose-gc', path.join(__dirname, 'worker.js'), name];
      if (engine === 'ndgrad-gc') args.push('--no-dispose');
      if (opts.sync) args.push('--tfjs-sync');
      if (engine === 'ndgrad-1t') env.NDGRAD_NUM_THREADS = '1';
    }
    if (opts.quick) args.push('--quick');
    this.proc = spawn(cmd, args, { env, cwd: path.join(__dirname, '..'), stdio: ['pipe', 'pipe', 'pipe'] });
    this.buf = '';
    this.waiters = [];
    this.lines = [];
    this.stderr = '';
    this.gcs = { minor: 0, major: 0 }; // collections seen in --trace-gc lines
    this.exited = false;
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (d) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (!line.startsWith('{')) {
          // --trace-gc: "[pid:0x...]  123 ms: Scavenge ..." / "Mark-Compact ..." (else stray output)
          if (/^\[\d+:0x[0-9a-f]+\]\s.*ms: (Scavenge|Minor Mark)/.test(line)) this.gcs.minor++;
          else if (/^\[\d+:0x[0-9a-f]+\]\s.*ms: Mark-(Compact|Sweep)/.test(line)) this.gcs.major++;
          continue;
        }
        if (this.waiters.length) this.waiters.shift().resolve(JSON.parse(line));
        else this.lines.push(JSON.parse(line));
      }
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-4000); });
    this.done = new Promise((resolve) => this.proc.on('exit', resolve));
    this.proc.on('exit', (code) => {
      this.exited = true;
      const err = new Error(`${engine} exited (${code}): ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      for (const w of this.waiters.splice(0)) w.reject(err);
    });
    this.proc.on('error', (err) => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) w.reject(err);
    });
  }

  next() {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.exited) return Promise.reject(new Error(`${this.engine} is not running: ${this.stderr.trim().split('\n').slice(-2).join(' | ')}`));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async request(row) {
    const g0 = { ...this.gcs };
    this.proc.stdin.write(`${JSON.stringify({ row })}\n`);
    const reply = await this.next();
    if (reply.result && this.opts.long) {
      reply.result.gc_minor = this.gcs.minor - g0.minor;
      reply.result.gc_major = this.gcs.major - g0.major;
    }
    return reply;
  }

  close() {
    if (!this.exited) {
      this.proc.stdin.write('\n');
      this.proc.stdin.end();
    }
  }
}

/** Busy and steal jiffies of the whole machine (Linux /proc/stat), or null elsewhere. */
function cpuStat() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
    return { busy: user + nice + system + irq + softirq, steal: steal || 0, t: process.hrtime.bigint() };
  } catch (_) {
    return null;
  }
}
const HZ = 100; // USER_HZ, the unit of /proc/stat on Linux

function engineRuns(engine, row) {
  if (engine === 'numpy-1t') return !!row.blas; // OpenBLAS threads only matter where BLAS is called
  return true;
}

async function startChild(e, opts) {
  const c = new Child(e, opts);
  const first = await c.next();
  return { child: c, info: first.info };
}

// Each (row, engine) measurement runs in a FRESH child process by default, so no row inherits
// another row's JIT state, heap or allocator caches (tfjs in particular got 10-50x slower on the
// 2x2 rows after a 1e7-element row in the same process). --reuse keeps one process per engine.
async function measureAll(rows, opts) {
  const engines = {};
  const children = {};
  for (const e of opts.engines) {
    try {
      const { child, info } = await startChild(e, opts);
      engines[e] = { info, results: {} };
      if (opts.reuse) children[e] = child;
      else child.close();
    } catch (err) {
      log(`  ${e}: failed to start (${err.message})`);
      engines[e] = { info: { engine: e, error: err.message }, results: {} };
    }
  }
  const live = opts.engines.filter((e) => !engines[e].info.error);
  for (let ri = 0; ri < rows.length; ri++) {
    const row = rows[ri];
    const order = live.map((_, k) => live[(k + ri) % live.length]); // rotate per row
    const perRound = {};
    for (let round = 0; round < opts.rounds; round++) {
      for (const e of order) {
        if (!engineRuns(e, row)) continue;
        let res;
        let child = children[e];
        try {
          if (!child) child = (await startChild(e, opts)).child;
          const s0 = cpuStat();
          res = (await child.request(row)).result;
          const s1 = cpuStat();
          if (s0 && s1 && res && res.cpu_ns !== undefined) {
            const wall = Number(s1.t - s0.t) / 1e9;
            const busy = (s1.busy - s0.busy) / HZ;
            res.background_cores = Math.max(0, (busy - res.cpu_ns / 1e9) / wall);
            res.steal_cores = (s1.steal - s0.steal) / HZ / wall;
          }
        } catch (err) {
          res = { skipped: `engine failed: ${err.message}` };
          if (children[e]) children[e] = null;
        }
        if (!opts.reuse && child) {
          child.close();
          await child.done;
        }
        (perRound[e] = perRound[e] || []).push(res);
      }
    }
    const summary = [];
    for (const [e, list] of Object.entries(perRound)) {
      const ok = list.filter((r) => typeof r.median_ns === 'number');
      if (!ok.length) {
        engines[e].results[row.name] = list[list.length - 1];
        continue;
      }
      const pick = (k) => ok.map((r) => r[k]);
      engines[e].results[row.name] = {
        median_ns: median(pick('median_ns')),
        cpu_median_ns: median(pick('cpu_median_ns')),
        min_ns: Math.min(...pick('min_ns')),
        max_ns: Math.max(...pick('max_ns')),
        rounds: ok.map((r) => r.median_ns),
        samples: ok.reduce((n, r) => n + r.samples, 0),
        iters: ok[0].iters,
        background_cores: ok.reduce((n, r) => n + (r.background_cores || 0), 0) / ok.length,
        steal_cores: ok.reduce((n, r) => n + (r.steal_cores || 0), 0) / ok.length,
        calls: ok.reduce((n, r) => n + (r.calls || 0), 0),
        minor_faults: ok.reduce((n, r) => n + (r.minor_faults || 0), 0),
        gc_minor: ok.reduce((n, r) => n + (r.gc_minor || 0), 0),
        gc_major: ok.reduce((n, r) => n + (r.gc_major || 0), 0),
      };
      summary.push(`${e} ${fmtTime(engines[e].results[row.name].median_ns)}`);
    }
    log(`  [${ri + 1}/${rows.length}] ${row.name}: ${summary.join(', ')}`);
  }
  for (const c of Object.values(children)) if (c) c.close();
  return engines;
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function machineFacts() {
  let cpu = os.cpus()[0] ? os.cpus()[0].model : 'unknown';
  let flags = '';
  try {
    const ci = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const m = ci.match(/^model name\s*:\s*(.*)$/m);
    if (m) cpu = m[1];
    const f = ci.match(/^flags\s*:\s*(.*)$/m);
    if (f) flags = ['avx2', 'fma', 'avx512f'].filter((x) => f[1].split(' ').includes(x)).join(' ');
  } catch (_) { /* not Linux */ }
  return {
    cpu,
    logicalCpus: os.cpus().length,
    simdFlags: flags,
    os: `${os.type()} ${os.release()}`,
    totalMemGB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    date: new Date().toISOString(),
  };
}

// ---- formatting ------------------------------------------------------------------------------

function fmtTime(ns) {
  if (ns === undefined || ns === null) return '—';
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e4) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e7) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

function fmtRatio(r) {
  if (r === undefined || r === null || !Number.isFinite(r)) return '—';
  return r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

let STAT = 'median_ns';

function med(res, engine, row) {
  const e = res.engines[engine];
  if (!e || !e.results) return null;
  const r = e.results[row];
  return r && typeof r[STAT] === 'number' ? r[STAT] : null;
}

function buildTable(res) {
  const out = [];
  for (const row of res.rows) {
    const nd = med(res, 'ndgrad', row.name);
    const nd1 = med(res, 'ndgrad-1t', row.name);
    const np = med(res, 'numpy', row.name);
    // NumPy with 1 BLAS thread: measured on BLAS rows; elsewhere NumPy is single-threaded anyway
    const np1 = row.blas ? med(res, 'numpy-1t', row.name) : np;
    const tc = med(res, 'tfjs-cpu', row.name);
    const tw = med(res, 'tfjs-wasm', row.name);
    const ratio = (a, b) => (a !== null && b !== null ? a / b : null);
    const rNp = ratio(nd, np);
    let verdict = '';
    if (row.target !== null && row.target !== undefined) {
      verdict = rNp === null ? 'n/a' : rNp <= row.target ? 'PASS' : 'FAIL';
    }
    out.push({
      name: row.name,
      required: !!row.required,
      blas: !!row.blas,
      ndgrad: nd, ndgrad1t: nd1, numpy: np, numpy1t: np1, tfjsCpu: tc, tfjsWasm: tw,
      ndOverNumpy: rNp,
      nd1tOverNumpy1t: ratio(nd1, np1),
      ndOverTfjsCpu: ratio(nd, tc),
      ndOverTfjsWasm: ratio(nd, tw),
      target: row.target ?? null,
      verdict,
      verdict1t: row.target != null && ratio(nd1, np1) !== null ? (ratio(nd1, np1) <= row.target ? 'PASS' : 'FAIL') : '',
    });
  }
  return out;
}

const HEAD = ['row', 'ndgrad', 'ndgrad 1T', 'NumPy', 'NumPy 1T', 'tfjs-cpu', 'tfjs-wasm', 'nd/NumPy', 'nd1T/NumPy1T', 'nd/tfjs-cpu', 'nd/tfjs-wasm', 'target', 'result (1T)'];

function tableCells(t) {
  return [
    t.name + (t.required ? '' : ' *'),
    fmtTime(t.ndgrad), fmtTime(t.ndgrad1t), fmtTime(t.numpy), t.blas ? fmtTime(t.numpy1t) : '=',
    fmtTime(t.tfjsCpu), fmtTime(t.tfjsWasm),
    fmtRatio(t.ndOverNumpy), fmtRatio(t.nd1tOverNumpy1t), fmtRatio(t.ndOverTfjsCpu), fmtRatio(t.ndOverTfjsWasm),
    t.target === null ? '' : `≤ ${t.target}`,
    t.verdict ? `${t.verdict} (${t.verdict1t || 'n/a'})` : '',
  ];
}

function renderText(res) {
  const rows = buildTable(res).map(tableCells);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  return `${lines.join('\n')}\n${legend(res)}`;
}

function renderMarkdown(res) {
  const rows = buildTable(res).map(tableCells);
  const lines = [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n\n${legend(res)}`;
}

function legend(res) {
  const e = res.engines;
  const nd = (e.ndgrad && e.ndgrad.info) || {};
  const nd1 = (e['ndgrad-1t'] && e['ndgrad-1t'].info) || {};
  const np = (e.numpy && e.numpy.info) || {};
  const tc = (e['tfjs-cpu'] && e['tfjs-cpu'].info) || {};
  const tw = (e['tfjs-wasm'] && e['tfjs-wasm'].info) || {};
  const m = res.machine;
  const parts = [
    `${{ median_ns: 'Median wall time', cpu_median_ns: 'Median process CPU time (all threads)', min_ns: 'Minimum wall time' }[STAT]} per call (chain rows: per op). Ratios < 1 mean ndgrad is faster. * = not in the issue's required list. "result" judges nd/NumPy against the target; "(1T)" judges ndgrad 1 thread vs NumPy with 1 BLAS thread. NumPy 1T "=" : NumPy does not use BLAS threads on that row.`,
    `machine: ${m.cpu}, ${m.logicalCpus} logical CPUs (${m.simdFlags}), ${m.os}, node ${m.node}`,
    `ndgrad ${nd.version ?? '?'}: isa=${nd.isa ?? '?'} threads=${nd.threads ?? '?'}; ndgrad 1T: threads=${nd1.threads ?? '?'} (NDGRAD_NUM_THREADS=1)`,
    `NumPy ${np.numpy ?? '?'} (Python ${np.python ?? '?'}): elementwise 1 thread; BLAS ${np.blas_name ?? '?'} ${np.blas_version ?? ''} core=${np.blas_corename ?? '?'} threads=${np.blas_threads ?? '?'}; OPENBLAS_CORETYPE=${np.OPENBLAS_CORETYPE ?? 'unset'} OPENBLAS_L2_SIZE=${np.OPENBLAS_L2_SIZE ?? 'unset'}`,
    `tfjs-core ${tc.version ?? tw.version ?? '?'}: cpu backend 1 JS thread; wasm backend simd=${tw.simd ?? '?'} threads=${tw.threads ?? '?'} (multithread support under Node: ${tw.multithread_support ?? '?'}); dataSync in timed region: ${tc.dataSyncInTimedRegion ?? tw.dataSyncInTimedRegion ?? '?'}`,
  ];
  const bg = [];
  for (const [name, en] of Object.entries(e)) {
    const rs = Object.values(en.results || {}).filter((r) => typeof r.background_cores === 'number');
    if (rs.length) bg.push(`${name} ${(rs.reduce((n, r) => n + r.background_cores, 0) / rs.length).toFixed(2)}`);
  }
  if (bg.length) parts.push(`background load (CPU cores used by other processes while each engine measured, mean over rows): ${bg.join(', ')}; loadavg start ${m.loadavgStart ?? '?'} end ${m.loadavgEnd ?? '?'}`);
  const np1 = (e['numpy-1t'] && e['numpy-1t'].info) || {};
  if (np1.blas_threads !== undefined) parts.push(`NumPy 1T: OPENBLAS_NUM_THREADS=1 (BLAS threads ${np1.blas_threads})`);
  for (const [name, en] of Object.entries(e)) {
    if (en.info && en.info.error) parts.push(`${name}: ERROR ${en.info.error}`);
    for (const [row, r] of Object.entries(en.results || {})) if (r.skipped) parts.push(`${name} / ${row}: skipped (${r.skipped})`);
  }
  return parts.join('\n');
}

// ---- long-process mode -------------------------------------------------------------------------

const LONG_HEAD = ['row', 'no dispose', 'dispose', 'NumPy', 'no-disp/disp', 'no-disp/NumPy', 'target', 'faults/call (no disp, disp, NumPy)', 'GCs/1000 calls minor+major (no disp, disp)'];

function perCall(r, key) {
  return r && r.calls ? r[key] / r.calls : null;
}

function fmtCount(x, scale = 1) {
  if (x === null || x === undefined) return '—';
  const v = x * scale;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function longCells(res, row) {
  const get = (e) => (res.engines[e] && res.engines[e].results[row.name]) || null;
  const gcr = get('ndgrad-gc');
  const ndr = get('ndgrad');
  const npr = get('numpy');
  const gc = med(res, 'ndgrad-gc', row.name);
  const nd = med(res, 'ndgrad', row.name);
  const np = med(res, 'numpy', row.name);
  const ratio = (a, b) => (a !== null && b !== null ? a / b : null);
  const rDisp = ratio(gc, nd);
  const rNp = ratio(gc, np);
  // within 1.25x of the disposed row, and at most NumPy where the disposed row already is
  let verdict = '';
  if (rDisp !== null) {
    const npBound = nd !== null && np !== null && nd <= np;
    verdict = rDisp <= 1.25 && (!npBound || rNp <= 1.0) ? 'PASS' : 'FAIL';
    verdict += npBound ? ' (≤ 1.25, ≤ 1 NumPy)' : ' (≤ 1.25)';
  }
  const gcs = (r) => (r && r.calls ? `${fmtCount(r.gc_minor / r.calls, 1000)}+${fmtCount(r.gc_major / r.calls, 1000)}` : '—');
  return [
    row.name,
    fmtTime(gc), fmtTime(nd), fmtTime(np),
    fmtRatio(rDisp), fmtRatio(rNp), verdict,
    `${fmtCount(perCall(gcr, 'minor_faults'))}, ${fmtCount(perCall(ndr, 'minor_faults'))}, ${fmtCount(perCall(npr, 'minor_faults'))}`,
    `${gcs(gcr)}, ${gcs(ndr)}`,
  ];
}

function renderLong(res, md) {
  const rows = res.rows.map((row) => longCells(res, row));
  const note = [
    'Long-process mode: one process per engine runs every row in sequence (rows interleaved across engines). "no dispose": results rebound, never disposed, inputs left to the collector; "dispose": each result disposed (the main table\'s method); NumPy: `r = a + b` rebound. Median per-call wall time (chain rows: per op).',
    'faults/call: minor page faults of the whole process per timed call (warm-up included); GCs: collections per 1000 calls from --trace-gc (scavenges + mark-compacts).',
    legend(res),
  ].join('\n');
  if (md) {
    return [`| ${LONG_HEAD.join(' | ')} |`, `|${LONG_HEAD.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), '', note].join('\n');
  }
  const widths = LONG_HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(LONG_HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), note].join('\n');
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    log(err.message);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 20).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    return;
  }
  let res;
  if (opts.from) {
    res = JSON.parse(fs.readFileSync(opts.from, 'utf8'));
  } else {
    const rows = rowsFor(opts.filter);
    if (!rows.length) {
      log(`no rows match ${JSON.stringify(opts.filter)}`);
      process.exit(2);
    }
    res = { machine: machineFacts(), command: `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim(), long: opts.long, rows, engines: {} };
    log(`ndgrad bench: ${rows.length} rows x ${opts.engines.length} engines (${opts.engines.join(', ')}), ${opts.rounds} round(s)`);
    const t0 = Date.now();
    res.machine.loadavgStart = os.loadavg().map((x) => +x.toFixed(2));
    res.engines = await measureAll(rows, opts);
    res.machine.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
    res.machine.durationSec = Math.round((Date.now() - t0) / 1000);
  }
  STAT = { median: 'median_ns', cpu: 'cpu_median_ns', min: 'min_ns' }[opts.stat] || 'median_ns';
  res.table = buildTable(res);
  if (opts.out) fs.writeFileSync(opts.out, JSON.stringify(res, null, 2) + '\n');
  if (opts.json) process.stdout.write(JSON.stringify(res, null, 2) + '\n');
  else if (res.long) process.stdout.write(renderLong(res, opts.md) + '\n');
  else if (opts.md) process.stdout.write(renderMarkdown(res) + '\n');
  else process.stdout.write(renderText(res) + '\n');
}

main().catch((err) => {
  log(err.stack || String(err));
  process.exit(1);
});
