#!/usr/bin/env node
// `npm test`: type-check and build lib/, build and run the native core test binary, then run the
// jest suite once per kernel path the CPU supports (NDGRAD_ISA), and print one summary line.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const isWin = process.platform === 'win32';
const bin = (name) => path.join(root, 'node_modules', '.bin', isWin ? `${name}.cmd` : name);
let passed = 0;
let failed = 0;

function run(label, cmd, args, env = {}) {
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  if (ok) passed += 1;
  else failed += 1;
  if (!ok) console.log(`!! ${label} failed (exit ${r.status ?? r.signal})`);
  return ok;
}

run('typescript: tsc build', bin('tsc'), ['-p', 'tsconfig.json']);

const nativeBuild = path.join(root, 'build-tests');
if (
  run('native core: configure', 'cmake', ['-S', '.', '-B', nativeBuild, '-DNDGRAD_BUILD_TESTS=ON', '-DCMAKE_BUILD_TYPE=Release']) &&
  run('native core: build', 'cmake', ['--build', nativeBuild, '--target', 'ndgrad_core_tests', '-j', '2'])
) {
  run('native core: tests', path.join(nativeBuild, 'ndgrad_core_tests'), []);
}

// The kernel paths this CPU can run; the suite runs once per path.
const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('./dist/core/native').native.isa())"], {
  cwd: root,
  encoding: 'utf8',
});
const best = probe.status === 0 ? probe.stdout.trim() : 'scalar';
const order = ['scalar', 'avx2', 'avx512'];
const isas = order.slice(0, Math.max(1, order.indexOf(best) + 1));
for (const skipped of order.slice(isas.length)) {
  console.log(`\n== note: this CPU has no ${skipped} support, so the ${skipped} kernel path is not run here`);
}
const jestArgs = process.argv.slice(2);
for (const isa of isas) {
  run(`jest (NDGRAD_ISA=${isa})`, bin('jest'), ['--ci', ...jestArgs], { NDGRAD_ISA: isa });
}

console.log(`\nnpm-test: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
