#!/usr/bin/env node
// `npm run fuzz:parsers -- [--seconds N] [--target params|npy]`: coverage-guided fuzzing of the
// file parsers (native/core/io/file_formats.cc) with libFuzzer, OSS-Fuzz style. Each target in
// native/fuzz/ is built with clang++ -fsanitize=fuzzer,address,undefined into build-fuzz/ and run
// for N seconds (default 60) from the committed seed corpus in test/fuzz/corpus/<target>/ plus a
// working corpus in build-fuzz/corpus-<target>/ that grows across runs. A crash, sanitizer report
// or abort leaves its input in fuzz-findings/ and fails the run; replay one with
//   build-fuzz/<target>_fuzzer fuzz-findings/<file>
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..', '..');
const out = path.join(root, 'build-fuzz');
const TARGETS = ['params', 'npy'];
// The parser and what it uses: nothing else of the core is linked.
const SOURCES = ['native/core/io/file_formats.cc', 'native/core/tensor/shape.cc'];

function parseArgs(argv) {
  const o = { seconds: 60, targets: TARGETS };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seconds') o.seconds = Number(argv[++i]);
    else if (argv[i] === '--target') o.targets = [argv[++i]];
    else throw new Error(`fuzz:parsers: unknown argument ${argv[i]}`);
  }
  if (!(o.seconds > 0)) throw new Error('fuzz:parsers: --seconds must be positive');
  for (const t of o.targets) if (!TARGETS.includes(t)) throw new Error(`fuzz:parsers: --target must be one of ${TARGETS.join(', ')}`);
  return o;
}

function build(target) {
  const exe = path.join(out, `${target}_fuzzer`);
  const inputs = [...SOURCES, `native/fuzz/${target}_fuzzer.cc`].map((f) => path.join(root, f));
  const headers = fs
    .readdirSync(path.join(root, 'native/core'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.h'))
    .map((f) => path.join(root, 'native/core', f));
  const newest = Math.max(...[...inputs, ...headers].map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(exe) && fs.statSync(exe).mtimeMs > newest) return exe;
  const args = ['-std=c++17', '-O1', '-g', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=undefined', `-I${path.join(root, 'native')}`, ...inputs, '-o', exe];
  console.log(`== build ${path.relative(root, exe)}: clang++ ${args.map((a) => (path.isAbsolute(a) ? path.relative(root, a) : a)).join(' ')}`);
  const r = spawnSync('clang++', args, { stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    throw new Error(`fuzz:parsers: building ${target} failed${r.error ? ` (${r.error.message}; install clang: apt-get install -y clang)` : ''}`);
  }
  return exe;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(out, { recursive: true });
  const findings = path.join(root, 'fuzz-findings');
  fs.mkdirSync(findings, { recursive: true });
  let failed = 0;
  for (const target of opts.targets) {
    const exe = build(target);
    const work = path.join(out, `corpus-${target}`);
    fs.mkdirSync(work, { recursive: true });
    const seeds = path.join(root, 'test', 'fuzz', 'corpus', target);
    const args = [
      work,
      seeds,
      `-max_total_time=${opts.seconds}`,
      `-dict=${path.join(root, 'test', 'fuzz', `${target}.dict`)}`,
      `-artifact_prefix=${findings}/${target}-`,
      '-rss_limit_mb=2048',
      '-print_final_stats=1',
    ];
    console.log(`== ${target}: ${path.relative(root, exe)} for ${opts.seconds} s`);
    const r = spawnSync(exe, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8', env: { ...process.env, UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1' } });
    const log = r.stderr ?? '';
    const stats = log.split('\n').filter((l) => /^stat::(number_of_executed_units|new_units_added|peak_rss_mb)|^Done \d+ runs/.test(l));
    console.log(stats.join('\n'));
    if (r.status !== 0) {
      failed += 1;
      console.log(log.slice(-6000));
      console.log(`!! ${target}: libFuzzer found a failure (exit ${r.status ?? r.signal}); the input is in ${path.relative(root, findings)}/`);
    } else {
      console.log(`-- ${target}: nothing found`);
    }
  }
  process.exit(failed ? 1 : 0);
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
}
