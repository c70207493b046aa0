#!/usr/bin/env node
// `npm run test:asan`: AddressSanitizer + UBSan run (Linux, g++). One cmake-js build with
// NDGRAD_SANITIZE=ON and NDGRAD_BUILD_TESTS=ON in build-asan/build (build/ is left alone) gives
//   1. the native core test binary, run directly (leak checking on);
//   2. the addon, loaded by the jest suite under a stock node with libasan preloaded.
// node-gyp-build lets `<PACKAGE>_PREBUILD=<dir>` replace the folder it searches, so
// NDGRAD_PREBUILD=build-asan makes lib/core/native.ts load build-asan/build/Release/ndgrad.node.
// A preflight refuses to run jest unless that file, and libasan, are what a process really maps.
// Extra arguments go to jest (e.g. `npm run test:asan -- -t broadcast`), except two of its own:
//   --prebuilt   use the addon already in build-asan/build (CI's fuzz build) as it is: no tsc,
//                no configure or build, no native core tests (that build has none)
//   --best-isa   jest on the best kernel path only, not on each path up to it
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const jobs = String(typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
const asanRoot = path.join(root, 'build-asan');
const addonBuild = path.join(asanRoot, 'build');
const addonFile = path.join(addonBuild, 'Release', 'ndgrad.node');
let passed = 0;
let failed = 0;

function run(label, cmd, args, env = {}) {
  console.log(`\n== ${label}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  if (ok) passed += 1;
  else failed += 1;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(ok ? `-- ${label}: ok (${secs}s)` : `!! ${label} failed (exit ${r.status ?? r.signal}, ${secs}s)`);
  return ok;
}

function finish() {
  console.log(`\ntest-asan: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

function runtimeLibrary(name) {
  const r = spawnSync('g++', [`-print-file-name=${name}`], { encoding: 'utf8' });
  const file = r.status === 0 ? r.stdout.trim() : '';
  return path.isAbsolute(file) && fs.existsSync(file) ? fs.realpathSync(file) : null;
}

if (process.platform !== 'linux') {
  console.error('test-asan: Linux only (a stock node needs libasan preloaded, which is an ELF/glibc mechanism)');
  process.exit(1);
}
const libasan = runtimeLibrary('libasan.so');
if (!libasan) {
  console.error('test-asan: `g++ -print-file-name=libasan.so` finds no libasan; install g++ (libasan comes with it)');
  process.exit(1);
}

const sanitizerEnv = {
  // halt_on_error: the first report fails the run, as -fno-sanitize-recover does for UBSan.
  // allocator_may_return_null: the out-of-memory tests ask for terabytes and expect a JS error
  // (std::bad_alloc), where ASan would otherwise abort with allocation-size-too-big.
  ASAN_OPTIONS: 'halt_on_error=1:allocator_may_return_null=1:strict_string_checks=1:detect_stack_use_after_return=1',
  UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
};
// The ASan runtime must be the first library a stock node loads (the instrumented addon pulls in
// libubsan itself). V8 keeps allocations until exit by design, so leak checking is off in node.
// The default 256 MB quarantine of freed blocks shows up as RSS growth and fails the
// memory-stays-flat tests; 32 MB still catches use-after-free of recently freed blocks.
const nodeEnv = {
  ...sanitizerEnv,
  ASAN_OPTIONS: `${sanitizerEnv.ASAN_OPTIONS}:detect_leaks=0:quarantine_size_mb=32`,
  LD_PRELOAD: [libasan, process.env.LD_PRELOAD].filter(Boolean).join(' '),
  NDGRAD_PREBUILD: asanRoot,
};

const ownFlags = ['--prebuilt', '--best-isa'];
const prebuilt = process.argv.includes('--prebuilt');
const bestIsaOnly = process.argv.includes('--best-isa');
const jestArgs = process.argv.slice(2).filter((a) => !ownFlags.includes(a));

if (prebuilt) {
  if (!fs.existsSync(addonFile)) {
    console.error(`test-asan --prebuilt: ${path.relative(root, addonFile)} is missing`);
    process.exit(1);
  }
} else {
  // One sanitized build tree holds the addon and the native core test binary. `configure` every
  // time, because `cmake-js build` alone would keep the options of an existing tree's cache.
  if (!run('typescript: tsc build', bin('tsc'), ['-p', 'tsconfig.json'])) finish();
  const cmakeJsOut = ['--out', addonBuild];
  if (
    !run('configure (asan)', bin('cmake-js'), ['configure', ...cmakeJsOut, '--CDNDGRAD_SANITIZE=ON', '--CDNDGRAD_BUILD_TESTS=ON']) ||
    !run('build (asan): addon and native core tests', bin('cmake-js'), ['build', ...cmakeJsOut, '--parallel', jobs])
  ) {
    finish();
  }
  run('native core tests (asan)', path.join(addonBuild, 'ndgrad_core_tests'), [], sanitizerEnv);
}

// Preflight: prove that a process with the jest environment maps the instrumented addon and
// libasan, and learn which kernel paths this CPU runs (the suite runs once per path, as in npm test).
const preflight = `
  const fs = require('fs');
  const { native } = require('./dist/core/native');
  const maps = fs.readFileSync('/proc/self/maps', 'utf8');
  const problems = [];
  if (!maps.includes(fs.realpathSync(process.argv[1]))) problems.push('the loaded addon is not ' + process.argv[1]);
  if (!maps.includes(fs.realpathSync(process.argv[2]))) problems.push('libasan is not mapped');
  if (problems.length) { console.error(problems.join('\\n')); process.exit(1); }
  console.log(native.isa());
`;
console.log('\n== preflight: a process with the jest environment loads the ASan addon');
const probe = spawnSync(process.execPath, ['-e', preflight, addonFile, libasan], {
  cwd: root, encoding: 'utf8', env: { ...process.env, ...nodeEnv }, stdio: ['ignore', 'pipe', 'inherit'],
});
if (probe.status !== 0) {
  console.log(`!! preflight failed (exit ${probe.status ?? probe.signal}): jest would not test the ASan build`);
  failed += 1;
  finish();
}
passed += 1;
const best = probe.stdout.trim();
console.log(`-- addon ${path.relative(root, addonFile)} and ${libasan} are mapped; best kernel path: ${best}`);

const order = ['scalar', 'avx2', 'avx512'];
const paths = bestIsaOnly ? [best] : order.slice(0, Math.max(1, order.indexOf(best) + 1));
for (const isa of paths) {
  run(`jest (asan addon, NDGRAD_ISA=${isa})`, bin('jest'), ['--ci', ...jestArgs], { ...nodeEnv, NDGRAD_ISA: isa });
}
finish();
