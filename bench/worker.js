'use strict';
// One JS engine in its own process, driven by bench/run.js:
//   node --expose-gc bench/worker.js <ndgrad|tfjs-cpu|tfjs-wasm> [--quick] [--tfjs-sync]
//   node --trace-gc bench/worker.js ndgrad --long [--no-dispose]   (bench/run.js --long)
// Line protocol on stdin/stdout: the worker first prints {"info": {...}}; then for every request
// line {"row": {...}} it prepares that row, measures it and prints one line
// {"name", "result": {median_ns, min_ns, max_ns, samples, iters, cpu_ns, wall_ns, calls,
// minor_faults} | {skipped}}. --long: one process runs every row as a script would (no collection
// forced between rows); --no-dispose: results are rebound instead of disposed.
// An empty line or EOF ends it. (Idle workers block on stdin and use no CPU.)
const readline = require('readline');
const { measure } = require('./harness');

async function main() {
  const [engineName, ...flags] = process.argv.slice(2);
  const quick = flags.includes('--quick');
  const sync = flags.includes('--tfjs-sync');
  const mode = { long: flags.includes('--long'), dispose: !flags.includes('--no-dispose') };
  let engine;
  if (engineName === 'ndgrad') {
    engine = require('./engines/ndgrad');
    await engine.init();
  } else if (engineName === 'tfjs-cpu' || engineName === 'tfjs-wasm') {
    engine = require('./engines/tfjs');
    await engine.init(engineName.slice(5), { sync });
  } else {
    throw new Error(`unknown engine ${engineName}`);
  }
  const send = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  send({ info: await engine.info() });

  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) break;
    const { row } = JSON.parse(line);
    send({ name: row.name, result: runRow(engine, row, quick, mode) });
  }
  rl.close();
}

function runRow(engine, row, quick, mode) {
  if (global.gc && !mode.long) global.gc();
  let fn;
  let calls = 0;
  try {
    const run = engine.prepare(row, { dispose: mode.dispose });
    fn = run && ((n) => { calls += n; run(n); });
  } catch (err) {
    return { skipped: `prepare failed: ${err.message}` };
  }
  if (!fn) return { skipped: 'op not available' };
  try {
    const f0 = process.resourceUsage().minorPageFault;
    const c0 = process.cpuUsage();
    const w0 = process.hrtime.bigint();
    const m = measure(fn, { small: !!row.small, quick });
    const wall = Number(process.hrtime.bigint() - w0);
    const c = process.cpuUsage(c0);
    const div = row.perOp || 1;
    return {
      median_ns: m.median_ns / div,
      cpu_median_ns: m.cpu_median_ns / div,
      min_ns: m.min_ns / div,
      max_ns: m.max_ns / div,
      samples: m.samples,
      iters: m.iters,
      cpu_ns: (c.user + c.system) * 1e3,
      wall_ns: wall,
      calls,
      minor_faults: process.resourceUsage().minorPageFault - f0,
    };
  } catch (err) {
    return { skipped: `failed: ${err.message}` };
  } finally {
    fn = null;
    if (engine.release) engine.release();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err.stack || err}\n`);
    process.exit(1);
  },
);
