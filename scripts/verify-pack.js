#!/usr/bin/env node
// Checks what a consumer gets from `npm pack` (release step, after `npm run prebuild`):
//   node scripts/verify-pack.js [--source] [--keep]
// 1. packs this checkout into a temp folder (npm pack runs `prepare`, i.e. tsc, first) and checks
//    that the tarball holds dist/ (JS and .d.ts), binding.d.ts, the prebuild, CMakeLists.txt and
//    the native sources;
// 2. runs `npm install <tgz>` in two empty projects with a PATH that holds only node, npm and sh
//    (no compiler, no cmake): a plain one, and one whose package.json approves ndgrad's install
//    script (`allowScripts`), where `node scripts/install.js` must run and be satisfied by the
//    prebuild; each time a small script must load ndgrad (require and import)
//    and run backward, with and without PREBUILDS_ONLY=1;
// 3. runs the README quick start in the approving project as .ts (tsx), .mjs and .cjs;
// 4. with --source: removes the prebuilds from the approving project and runs `npm rebuild ndgrad`
//    with the full PATH, so `cmake-js compile` builds the addon inside node_modules/ndgrad.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const argv = new Set(process.argv.slice(2));
const tuple = `${process.platform}-${process.arch}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-pack-'));

function fail(message) {
  console.error(`verify-pack: ${message}`);
  console.error(`verify-pack: scratch files kept in ${tmp}`);
  process.exit(1);
}

function sh(label, cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts, env: { ...process.env, ...opts.env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) fail(`${label} failed (exit ${r.status ?? r.signal}, ${secs}s):\n${r.stdout}\n${r.stderr}`);
  console.log(`ok   ${label} (${secs}s)`);
  return r.stdout;
}

// 1. Pack (npm runs `prepare`, tsc, and `prepack`, `npm run prebuild`) and list.
const packed = JSON.parse(sh('npm pack (builds the prebuild)', 'npm', ['pack', '--json', '--pack-destination', tmp], { cwd: root }).replace(/^[\s\S]*?(?=^\[\s*\{)/m, ''));
const prebuildDir = path.join(root, 'prebuilds', tuple);
const prebuilds = fs.existsSync(prebuildDir) ? fs.readdirSync(prebuildDir).filter((f) => f.endsWith('.node')) : [];
if (prebuilds.length === 0) fail(`npm pack made no prebuilds/${tuple}/*.node`);
const tarball = path.join(tmp, packed[0].filename);
const listed = new Set(sh('list tarball', 'tar', ['-tzf', tarball]).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')));
const nativeSources = ['native/core', 'native/kernels', 'native/binding'].flatMap((dir) =>
  fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(cc|h|inl)$/.test(f)).map((f) => `${dir}/${f}`),
);
const required = [
  'package.json', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/core/native.js', 'binding.d.ts',
  'CMakeLists.txt', ...prebuilds.map((f) => `prebuilds/${tuple}/${f}`), ...nativeSources,
];
const missing = required.filter((f) => !listed.has(f));
if (missing.length) fail(`the tarball lacks ${missing.join(', ')}`);
console.log(`ok   ${path.basename(tarball)}: ${listed.size} files, ${(fs.statSync(tarball).size / 1024).toFixed(0)} KiB, has dist/, types, prebuilds/${tuple}, native sources`);

// 2. Install with no compiler on PATH.
const toolbin = path.join(tmp, 'bin');
fs.mkdirSync(toolbin);
// npm runs lifecycle scripts with `sh -c`, so sh stays; nothing that compiles does.
for (const tool of ['node', 'npm', 'npx', 'sh']) {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  fs.symlinkSync(fs.realpathSync(found), path.join(toolbin, tool));
}
const noCompilerEnv = { PATH: toolbin };
for (const tool of ['g++', 'c++', 'cc', 'cmake', 'make', 'ninja']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`], { env: { ...process.env, ...noCompilerEnv } }).status === 0) {
    fail(`${tool} is still reachable with PATH=${toolbin}`);
  }
}

const smoke = `
  const path = require('path');
  const mx = require('ndgrad');
  const x = mx.nd.array([[1, 2], [3, 4]]);
  x.attach_grad();
  const y = mx.autograd.record(() => x.mul(x).sum());
  y.backward();
  const dir = path.dirname(require.resolve('ndgrad/package.json'));
  const loaded = require(require.resolve('node-gyp-build', { paths: [dir] })).path(dir);
  console.log(JSON.stringify({ grad: Array.from(x.grad.toTypedArray()), loaded: path.relative(dir, loaded) }));
`;
const smokeEsm = `
  import mx, { nd, autograd } from 'ndgrad';
  const x = nd.array([1, 2, 3]);
  x.attach_grad();
  autograd.record(() => x.mul(x).sum()).backward();
  console.log(JSON.stringify({ grad: Array.from(x.grad.toTypedArray()), same: mx.nd === nd }));
`;

function checkConsumer(label, consumer, env, expectLoaded) {
  for (const only of [false, true]) {
    const tag = `${label}${only ? ', PREBUILDS_ONLY=1' : ''}`;
    const runEnv = { ...env, ...(only ? { PREBUILDS_ONLY: '1' } : {}) };
    const cjs = JSON.parse(sh(`${tag}: require('ndgrad')`, 'node', ['-e', smoke], { cwd: consumer, env: runEnv }));
    const esm = JSON.parse(sh(`${tag}: import 'ndgrad'`, 'node', ['--input-type=module', '-e', smokeEsm], { cwd: consumer, env: runEnv }));
    if (cjs.grad.join() !== '2,4,6,8' || esm.grad.join() !== '2,4,6' || !esm.same) {
      fail(`${tag}: wrong results ${JSON.stringify({ cjs, esm })}`);
    }
    const want = only ? path.join('prebuilds', tuple) : expectLoaded;
    if (!cjs.loaded.startsWith(want)) fail(`${tag}: loaded ${cjs.loaded}, expected a file under ${want}`);
    console.log(`     loaded ${cjs.loaded}`);
  }
}

function consumerProject(name, extra = {}) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...extra }, null, 2));
  return dir;
}

function install(label, consumer, mustRunScript) {
  const out = sh(`${label}: npm install <tgz> (no compiler on PATH)`, 'npm',
    ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], { cwd: consumer, env: noCompilerEnv });
  const ran = out.includes(`ndgrad: using the native addon prebuilds/${tuple}/`);
  if (mustRunScript && !ran) fail(`${label}: the install script did not run:\n${out}`);
  if (fs.existsSync(path.join(consumer, 'node_modules', pkg.name, 'build'))) fail(`${label}: the install built from source`);
  console.log(ran
    ? '     the install script ran and kept the prebuild (no build/, no cmake needed)'
    : '     npm skipped the install script; the prebuild is found at load time');
  checkConsumer(label, consumer, noCompilerEnv, path.join('prebuilds', tuple));
}

// npm 11 runs a dependency's install script with a notice unless allowScripts denies it (or
// strict-allow-scripts is set); an approving consumer must get its script run.
install('plain consumer', consumerProject('consumer-plain'), false);
const approving = consumerProject('consumer-approving', { allowScripts: { [pkg.name]: true } });
install('approving consumer', approving, true);

// 3. The README quick start, as a newcomer copies it: TypeScript run with tsx, and the same code as
// an ES module and as CommonJS; each must print the output the README shows under it.
function readmeQuickStart() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const code = /```ts\n([\s\S]*?)```/.exec(section);
  if (!code) fail('README.md has no ```ts block under "## Quick start"');
  const printed = code[1].split('\n').filter((l) => /^\/\/ [[<]|^\/\/  \[/.test(l)).map((l) => l.slice(3));
  if (printed.length === 0) fail('the README quick start shows no printed output to compare with');
  return { ts: code[1], printed };
}
const quick = readmeQuickStart();
const importLine = /^import mx, \{ ([^}]+) \} from 'ndgrad';$/m;
if (!importLine.test(quick.ts)) fail("the README quick start no longer starts with `import mx, { ... } from 'ndgrad'`");
const asCjs = quick.ts.replace(importLine, (_, names) => `const mx = require('ndgrad');\nconst { ${names} } = mx;`);
fs.writeFileSync(path.join(approving, 'quickstart.ts'), quick.ts);
fs.writeFileSync(path.join(approving, 'quickstart.mjs'), quick.ts);
fs.writeFileSync(path.join(approving, 'quickstart.cjs'), asCjs);
const tsx = require.resolve('tsx/cli', { paths: [root] });
for (const [file, args] of [['quickstart.ts', [tsx]], ['quickstart.mjs', []], ['quickstart.cjs', []]]) {
  const out = sh(`README quick start as ${file}`, 'node', [...args, file], { cwd: approving, env: noCompilerEnv });
  const lines = out.trim().split('\n');
  if (lines.join('\n') !== quick.printed.join('\n')) {
    fail(`${file} printed\n${out}\nbut the README shows\n${quick.printed.join('\n')}`);
  }
}

// 4. Source fallback inside node_modules.
if (argv.has('--source')) {
  const installed = path.join(approving, 'node_modules', pkg.name);
  fs.rmSync(path.join(installed, 'prebuilds'), { recursive: true });
  sh('npm rebuild ndgrad without prebuilds (cmake-js compile in node_modules)', 'npm',
    ['rebuild', '--foreground-scripts', pkg.name], { cwd: approving });
  const smokeOut = JSON.parse(sh('source build: require(\'ndgrad\')', 'node', ['-e', smoke], { cwd: approving }));
  if (smokeOut.grad.join() !== '2,4,6,8' || !smokeOut.loaded.startsWith(path.join('build', 'Release'))) {
    fail(`source build: ${JSON.stringify(smokeOut)}`);
  }
  console.log(`     loaded ${smokeOut.loaded}`);
}

if (argv.has('--keep')) console.log(`verify-pack: scratch files kept in ${tmp}`);
else fs.rmSync(tmp, { recursive: true, force: true });
console.log('verify-pack: tarball installs and runs with no compiler');
