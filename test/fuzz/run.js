#!/usr/bin/env node
// `npm run fuzz -- --seconds N [--seed S] [--asan] [--jobs J] [--length L]`: random call sequences
// over the public API (test/fuzz/program.js), each run as a script in its own child process. A
// child that dies (signal, abort, non-zero exit) or prints a sanitizer report is a finding; JS
// errors are expected and ignored. fast-check generates the sequences from the seed and shrinks a
// failing one to a short program, printed as runnable JS and saved under fuzz-findings/.
//   --replay FILE         run one saved program (a finding, kept inside the package folder)
//   --seed S --path P     replay and shrink a failure that an earlier run reported
// Exit status: 0 when nothing was found, 1 otherwise.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const fc = require('fast-check');
const { surface, statementArb, programSource } = require('./program');

const root = path.join(__dirname, '..', '..');

function parseArgs(argv) {
  const o = { seconds: 60, seed: Date.now() % 2 ** 31, asan: false, jobs: 2, length: 40, shrinkSeconds: 120, path: undefined, replay: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`fuzz: ${a} needs a value`);
      return argv[++i];
    };
    if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--jobs') o.jobs = Number(next());
    else if (a === '--length') o.length = Number(next());
    else if (a === '--shrink-seconds') o.shrinkSeconds = Number(next());
    else if (a === '--path') o.path = next();
    else if (a === '--replay') o.replay = next();
    else if (a === '--asan') o.asan = true;
    else throw new Error(`fuzz: unknown argument ${a}`);
  }
  for (const k of ['seconds', 'seed', 'jobs', 'length', 'shrinkSeconds']) {
    if (!Number.isFinite(o[k]) || o[k] < 0) throw new Error(`fuzz: --${k} must be a non-negative number`);
  }
  return o;
}

// ---- running one program --------------------------------------------------------------------------

// Arrays are capped at 256 MiB, a size a server would allow, so that one statement stays quick;
// without ASan the address space is capped too (6 GB), so that JS-side copies and V8 itself
// meet allocation failures, which must be RangeErrors. ASan needs its shadow address space, and
// allocator_may_return_null makes failed native allocations visible as such.
const MAX_ARRAY_BYTES = String(256 * 2 ** 20);
const ULIMIT_KIB = 6_000_000;
const TIMEOUT_MS = 60_000;

function asanEnv() {
  const r = spawnSync('g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const lib = r.status === 0 ? r.stdout.trim() : '';
  if (!path.isAbsolute(lib) || !fs.existsSync(lib)) throw new Error('fuzz --asan: g++ finds no libasan.so');
  const addon = path.join(root, 'build-asan', 'build', 'Release', 'ndgrad.node');
  if (!fs.existsSync(addon)) throw new Error(`fuzz --asan: ${path.relative(root, addon)} is missing; build it with npm run test:asan (docs/building.md)`);
  return {
    LD_PRELOAD: fs.realpathSync(lib),
    NDGRAD_PREBUILD: path.join(root, 'build-asan'),
    ASAN_OPTIONS: 'halt_on_error=1:allocator_may_return_null=1:detect_leaks=0:quarantine_size_mb=32',
    UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
  };
}

const SANITIZER_REPORT = /ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|FATAL ERROR|Fatal JavaScript|Aborted|Segmentation fault/;

/** Runs a program; resolves to null when the process ended normally, else a description. */
function runProgram(source, opts, saved = undefined) {
  const file = saved ?? path.join(os.tmpdir(), `ndgrad-fuzz-${process.pid}-${Math.random().toString(36).slice(2)}.js`);
  if (!saved) fs.writeFileSync(file, source);
  const env = { ...process.env, NDGRAD_MAX_ARRAY_BYTES: MAX_ARRAY_BYTES, ...(opts.asan ? opts.asanEnv : {}) };
  const cmd = opts.asan ? `exec "${process.execPath}" "${file}"` : `ulimit -v ${ULIMIT_KIB}; exec "${process.execPath}" "${file}"`;
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', cmd], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (d) => {
      if (stderr.length < 20000) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (!saved) fs.rmSync(file, { force: true });
      const report = SANITIZER_REPORT.exec(stderr);
      if (timedOut) resolve(`hang: no end after ${TIMEOUT_MS / 1000} s`);
      else if (signal) resolve(`killed by ${signal}\n${stderr.slice(0, 4000)}`);
      else if (status !== 0) resolve(`exit ${status}\n${stderr.slice(0, 4000)}`);
      else if (report) resolve(`sanitizer report (${report[0]})\n${stderr.slice(0, 4000)}`);
      else resolve(null);
    });
  });
}

// ---- the search -------------------------------------------------------------------------------------

function programArb(names, length) {
  return fc.array(statementArb(names), { minLength: Math.min(8, length), maxLength: length, size: 'max' });
}

async function search(opts, names, seed, stats) {
  const outcome = { failure: null };
  const property = fc.asyncProperty(programArb(names, opts.length), async (statements) => {
    stats.sequences += 1;
    stats.statements += statements.length;
    const failure = await runProgram(programSource(statements, root), opts);
    if (failure) outcome.failure = failure;
    return failure === null;
  });
  const found = await fc.check(property, {
    seed,
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: opts.seconds * 1000,
    markInterruptAsFailure: false,
    endOnFailure: true,
  });
  return found.failed ? { seed, path: found.counterexamplePath, statements: found.counterexample[0], failure: outcome.failure } : null;
}

/** Replays a failure from its seed and path and lets fast-check shrink it within the budget. */
async function shrink(opts, names, seed, pathText) {
  let last = null;
  const property = fc.asyncProperty(programArb(names, opts.length), async (statements) => {
    const failure = await runProgram(programSource(statements, root), opts);
    if (failure) last = { statements, failure };
    return failure === null;
  });
  const started = Date.now();
  const r = await fc.check(property, { seed, path: pathText, interruptAfterTimeLimit: opts.shrinkSeconds * 1000, markInterruptAsFailure: false });
  const shrunk = r.failed ? { statements: r.counterexample[0], failure: last?.failure, path: r.counterexamplePath } : last;
  return shrunk && dropStatements(shrunk, opts, started + 2 * opts.shrinkSeconds * 1000);
}

/**
 * fast-check shrinks the generated structure; this last pass tries the program without each
 * statement in turn (from the end) and keeps every removal after which it still fails, so that
 * no single statement of the repro can go.
 */
async function dropStatements(found, opts, deadline) {
  let { statements, failure } = found;
  for (let i = statements.length - 1; i >= 0 && Date.now() < deadline; i--) {
    const fewer = statements.filter((_, j) => j !== i);
    const f = fewer.length ? await runProgram(programSource(fewer, root), opts) : null;
    if (f) {
      statements = fewer;
      failure = f;
    }
  }
  return { ...found, statements, failure };
}

function report(finding, opts) {
  const dir = path.join(root, 'fuzz-findings');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `seed-${finding.seed}.js`);
  // 'ndgrad' resolves to this package from any script inside it (a package may require itself).
  const source = programSource(finding.statements, 'ndgrad');
  fs.writeFileSync(file, source);
  console.log(`\n!! finding (seed ${finding.seed}, path ${finding.path}${opts.asan ? ', ASan build' : ''}):`);
  console.log(finding.failure);
  console.log(`-- shortest program found, saved as ${path.relative(process.cwd(), file)}; replay with`);
  console.log(`   npm run fuzz -- --replay ${path.relative(root, file)}${opts.asan ? ' --asan' : ''}`);
  console.log(`   or again from the seed: npm run fuzz -- --seed ${finding.seed} --path ${finding.path}${opts.asan ? ' --asan' : ''}`);
  console.log('--- program ---');
  console.log(source);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.asan) opts.asanEnv = asanEnv();
  if (opts.replay) {
    const failure = await runProgram(undefined, opts, path.resolve(opts.replay));
    console.log(failure ? `fuzz: the program fails: ${failure}` : 'fuzz: the program ends normally');
    process.exit(failure ? 1 : 0);
  }
  // The names come from the regular build; the children load the ASan one with --asan.
  const names = surface(require(root));
  if (opts.path !== undefined) {
    const shrunk = await shrink(opts, names, opts.seed, opts.path);
    if (!shrunk) {
      console.log('fuzz: the failure did not reproduce');
      process.exit(0);
    }
    report({ ...shrunk, seed: opts.seed, path: shrunk.path ?? opts.path }, opts);
    process.exit(1);
  }
  const stats = { sequences: 0, statements: 0 };
  const started = Date.now();
  console.log(`fuzz: ${opts.jobs} job(s) for ${opts.seconds} s, seeds ${opts.seed}..${opts.seed + opts.jobs - 1}${opts.asan ? ', ASan build' : ''}`);
  const progress = setInterval(() => {
    console.log(`fuzz: ${stats.sequences} sequences, ${stats.statements} statements after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 30_000);
  const found = (await Promise.all(Array.from({ length: opts.jobs }, (_, j) => search(opts, names, opts.seed + j, stats)))).filter(Boolean);
  clearInterval(progress);
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  for (const f of found) {
    const shrunk = await shrink(opts, names, f.seed, f.path);
    // A failure that does not come back when replayed is still reported (a race can be real), but
    // marked: it may also come from the machine (e.g. dist/ rebuilt while the run was going on).
    if (!shrunk) f.failure = `(did not fail again when replayed, so not shrunk)\n${f.failure}`;
    report(shrunk ? { ...f, ...shrunk, path: shrunk.path ?? f.path, failure: shrunk.failure ?? f.failure } : f, opts);
  }
  console.log(
    `fuzz: ${stats.sequences} sequences, ${stats.statements} statements in ${secs} s${opts.asan ? ' (ASan)' : ''}: ` +
      `${found.length ? `${found.length} finding(s)` : 'nothing found'}`,
  );
  process.exit(found.length ? 1 : 0);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
