// The packaging surface as a consumer meets it: the `exports` map under Node's own resolver (in
// child processes, since jest resolves modules its own way), the published types under tsc, the
// file list `npm pack` ships and the install script's prebuild probe.
import { spawnSync, type SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { native } from '../lib/core/native';
import { lastJsonLine } from './helpers/child';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

// Child processes that are not node itself (tsc is a native binary) or that need no addon do not
// get the sanitizer preload of `npm run test:asan`.
const { LD_PRELOAD: _preload, ...plainEnv } = process.env;

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 120000, ...opts });
  if (r.status !== 0) {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  }
  return String(r.stdout);
}

/** Runs a script in node from the package root, so that 'ndgrad' resolves by self-reference. */
function node(script: string, esm = false): unknown {
  const out = run(process.execPath, [...(esm ? ['--input-type=module'] : []), '-e', script]);
  return lastJsonLine(out);
}

const subpaths = [
  { name: 'testing', source: 'lib/testing.ts', exported: 'assertAlmostEqual' },
  { name: 'jest', source: 'lib/jest.ts', exported: 'matchers' },
];

describe('exports map', () => {
  test('every target of every condition exists in dist/', () => {
    const targets: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') targets.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(pkg.exports['.']);
    walk(pkg.exports['./package.json']);
    for (const { name, source } of subpaths) {
      if (fs.existsSync(path.join(root, source))) walk(pkg.exports[`./${name}`]);
    }
    expect(targets).toEqual(expect.arrayContaining(['./dist/index.js', './dist/index.mjs', './dist/index.d.ts']));
    for (const t of targets) expect([t, fs.existsSync(path.join(root, t))]).toEqual([t, true]);
    expect(pkg.main).toBe('dist/index.js');
    expect(pkg.types).toBe('dist/index.d.ts');
  });

  test("require('ndgrad') gives the CommonJS build with nd, autograd and default", () => {
    const r = node(`
      const mx = require('ndgrad');
      const x = mx.nd.array([1, 2, 3]);
      x.attach_grad();
      const y = mx.autograd.record(() => x.mul(x).sum());
      y.backward();
      console.log(JSON.stringify({
        file: require.resolve('ndgrad'),
        keys: ['nd', 'autograd', 'default'].filter((k) => k in mx),
        sameDefault: mx.default.nd === mx.nd,
        grad: Array.from(x.grad.toTypedArray()),
      }));`);
    expect(r).toEqual({
      file: path.join(root, 'dist', 'index.js'),
      keys: ['nd', 'autograd', 'default'],
      sameDefault: true,
      grad: [2, 4, 6],
    });
  });

  test("import 'ndgrad' and import('dist/index.mjs') give default, nd and autograd", () => {
    const r = node(`
      import mx, { nd, autograd } from 'ndgrad';
      const direct = await import('./dist/index.mjs');
      console.log(JSON.stringify({
        file: import.meta.resolve('ndgrad'),
        named: typeof nd.array === 'function' && typeof autograd.record === 'function',
        defaultHasBoth: mx.nd === nd && mx.autograd === autograd,
        sameModule: direct.default === mx && direct.nd === nd && direct.autograd === autograd,
        isTraining: autograd.is_training(),
      }));`, true);
    expect(r).toEqual({
      file: 'file://' + path.join(root, 'dist', 'index.mjs'),
      named: true,
      defaultHasBoth: true,
      sameModule: true,
      isTraining: false,
    });
  });

  describe.each(subpaths)('ndgrad/$name', ({ name, source, exported }) => {
    const present = fs.existsSync(path.join(root, source));
    (present ? test : test.skip)(`resolves for require and import and exports ${exported}`, () => {
      expect(pkg.exports[`./${name}`]).toBeDefined();
      const cjs = node(`console.log(JSON.stringify(typeof require('ndgrad/${name}').${exported}))`);
      const esm = node(`import * as m from 'ndgrad/${name}'; console.log(JSON.stringify(typeof m.${exported}))`, true);
      expect([cjs, esm]).toEqual([expect.stringMatching(/function|object/), cjs]);
    });
  });
});

describe('types', () => {
  test('dist/ has the declarations the exports map names', () => {
    for (const f of ['dist/index.d.ts', 'dist/index.d.mts', 'binding.d.ts']) {
      expect([f, fs.existsSync(path.join(root, f))]).toEqual([f, true]);
    }
  });

  // A newcomer's project: lib ES2020, no @types/node, skipLibCheck off, noUncheckedIndexedAccess.
  test('a TypeScript consumer type-checks against dist/*.d.ts with no @types/node (test/types/consumer.ts)', () => {
    run(path.join(root, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', 'test/types/tsconfig.json'], { env: plainEnv });
  });

  test('every call form of API.md type-checks (test/types/api-md.ts)', () => {
    run(path.join(root, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', 'test/types/tsconfig.api-md.json'], { env: plainEnv });
  });

  test('the examples type-check under strict + noUncheckedIndexedAccess', () => {
    run(path.join(root, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', 'examples/tsconfig.json'], { env: plainEnv });
  });
});

describe('npm pack', () => {
  let files: string[] = [];
  beforeAll(() => {
    // --ignore-scripts: `prepare` (tsc) already ran for this checkout; only the file list matters.
    const out = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { env: plainEnv });
    files = JSON.parse(out.slice(out.indexOf('[')))[0].files.map((f: { path: string }) => f.path);
  });

  test('ships the compiled JS, types and what a source build needs', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/index.js',
        'dist/index.mjs',
        'dist/index.d.ts',
        'dist/core/native.js',
        'binding.d.ts',
        'CMakeLists.txt',
      ]),
    );
    const source = (dir: string): string[] =>
      fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(cc|h|inl)$/.test(f)).map((f) => `${dir}/${f}`);
    expect(files).toEqual(expect.arrayContaining([...source('native/binding'), ...source('native/core'), ...source('native/kernels')]));
  });

  test('ships any prebuilds present and no build output, tests or CI files', () => {
    const prebuilds = fs.existsSync(path.join(root, 'prebuilds'))
      ? fs.readdirSync(path.join(root, 'prebuilds'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.node'))
      : [];
    expect(files.filter((f) => f.startsWith('prebuilds/')).sort()).toEqual(prebuilds.map((f) => `prebuilds/${f}`).sort());
    expect(files.filter((f) => /^(build|build-[^/]*|test|\.ci|node_modules|bench)\//.test(f))).toEqual([]);
  });
});

describe('install script', () => {
  const installJs = path.join(root, 'scripts', 'install.js');

  test('npm install runs scripts/install.js, and npm pack builds the prebuild it ships', () => {
    expect(pkg.scripts.install).toBe('node scripts/install.js');
    expect(pkg.scripts.prepack).toBe('npm run prebuild');
    expect(pkg.files).toContain('scripts/install.js');
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['cmake-js', 'node-addon-api', 'node-gyp-build']));
    expect(pkg.binary.napi_versions).toEqual(expect.any(Array));
  });

  test('keeps the binary this checkout has, in one line, so install would not rebuild', () => {
    const out = run(process.execPath, [installJs]);
    expect(out.trim().split('\n')).toEqual([expect.stringMatching(/^ndgrad: using the native addon \S+\.node for .*; nothing to build$/)]);
  });

  test('with no binary it says so in one line and builds from source, without a stack trace', () => {
    // A package folder with the install script and no addon and no CMakeLists.txt: the build
    // fails at once, and what the user sees is one line of ours before and after cmake-js.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-install-'));
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(installJs, path.join(dir, 'scripts', 'install.js'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ndgrad', version: '0.0.0' }));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    // NDGRAD_PREBUILD (set by test:asan) would point node-gyp-build at a binary after all.
    const { NDGRAD_PREBUILD: _prebuild, ...env } = plainEnv;
    const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'install.js')], { cwd: dir, encoding: 'utf8', env });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^ndgrad: no prebuilt native addon for .*; building it from source with cmake-js/);
    expect(r.stderr).toMatch(/ndgrad: the source build failed.*Install CMake/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  });
});

test('docs/operators.md names every registry op', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'operators.md'), 'utf8');
  const words = new Set(doc.match(/[A-Za-z_][A-Za-z0-9_]*/g));
  const missing = native
    .opInfo()
    .map((o) => o.name)
    .filter((name) => !words.has(name) && !(name.endsWith('_scalar') && doc.includes('*_scalar')));
  expect(missing).toEqual([]);
});

test('one minimum Node version: engines, the lockfile, the README and the load error agree', () => {
  const min = /^>=(\d+\.\d+)$/.exec(pkg.engines.node)?.[1];
  expect(min).toBeDefined();
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  expect(lock.packages[''].engines.node).toBe(pkg.engines.node);
  expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(`Requires Node.js >= ${min}`);
  expect(fs.readFileSync(path.join(root, 'lib', 'core', 'native.ts'), 'utf8')).toContain(`Node.js >= ${min} is required`);
});
