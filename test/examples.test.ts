// The examples and the README quick start must run as written: each is compiled with SWC and
// run in a child process that imports the package by its name.
import { transformSync } from '@swc/core';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');

function runTs(source: string): string {
  const { code } = transformSync(source, {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-example-'));
  const file = path.join(dir, 'example.js');
  fs.writeFileSync(file, code);
  // Resolve 'ndgrad' to this checkout, as an installed package would resolve.
  const nodeModules = path.join(dir, 'node_modules');
  fs.mkdirSync(nodeModules);
  fs.symlinkSync(root, path.join(nodeModules, 'ndgrad'), 'dir');
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`example failed: ${r.stderr}`);
  return r.stdout;
}

test('examples/quickstart.ts prints the gradient 4x', () => {
  const out = runTs(fs.readFileSync(path.join(root, 'examples/quickstart.ts'), 'utf8'));
  expect(out).toContain('\n[[ 4.  8.]\n [12. 16.]]\n<NDArray 2x2 @cpu(0)>');
  expect(out).toContain('\n[10.]\n<NDArray 1 @cpu(0)>');
});

test('examples/linear-regression.ts recovers the true parameters', () => {
  const out = runTs(fs.readFileSync(path.join(root, 'examples/linear-regression.ts'), 'utf8'));
  const m = /w (\S+) (\S+) b (\S+)/.exec(out);
  expect(m).not.toBeNull();
  expect(Number(m![1])).toBeCloseTo(2, 1);
  expect(Number(m![2])).toBeCloseTo(-3.4, 1);
  expect(Number(m![3])).toBeCloseTo(4.2, 1);
});

test('the README quick start runs', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const out = runTs(block![1]);
  expect(out).toContain('<NDArray 2x2 @cpu(0)>');
});

// Classifiers print "epoch N, loss L, accuracy A": the loss must fall and the last accuracy be high.
test.each([
  ['softmax-regression.ts', 5],
  ['mlp.ts', 3],
  ['gluon-mlp.ts', 3],
])('examples/%s learns its classes', (file, reports) => {
  const out = runTs(fs.readFileSync(path.join(root, 'examples', file), 'utf8'));
  const epochs = [...out.matchAll(/epoch (\d+), loss (\S+), accuracy (\S+)/g)].map((m) => [Number(m[2]), Number(m[3])]);
  expect(epochs).toHaveLength(reports);
  expect(epochs[reports - 1][0]).toBeLessThan(epochs[0][0]);
  expect(epochs[reports - 1][1]).toBeGreaterThan(0.95);
});

test('examples/gluon-mlp.ts names its parameters as MXNet and reloads them', () => {
  const out = runTs(fs.readFileSync(path.join(root, 'examples/gluon-mlp.ts'), 'utf8'));
  expect(out).toContain('dense0_weight dense0_bias dense1_weight dense1_bias');
  expect(out).toContain('reloaded net agrees: true');
});

// The examples on the real Fashion-MNIST (Debian's dataset-fashion-mnist) run here on a subset, with
// tsx as `npm run example` runs them (they import ./plot). Without the data set they are skipped,
// and the test names say so.
const haveFashionMnist = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    new (require('../lib').gluon.data.vision.FashionMNIST)({ train: false });
    return true;
  } catch {
    return false;
  }
})();
const withData = haveFashionMnist ? test : test.skip;
const absent = haveFashionMnist ? '' : ' (SKIPPED: Fashion-MNIST not installed, apt-get install dataset-fashion-mnist)';

function runExample(name: string, args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/example.js'), name, ...args], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`example ${name} failed: ${r.stderr}`);
  return r.stdout;
}

withData(`examples/crash-course.ts trains, predicts and writes its curves as SVG and PNG${absent}`, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-cc-'));
  const stdout = runExample('crash-course', ['--epochs', '2', '--limit', '2000', '--out', out, '--params', path.join(out, 'lenet.params')]);
  expect([...stdout.matchAll(/^Epoch \d: loss /gm)]).toHaveLength(2);
  expect([...stdout.matchAll(/image \d: predicted \S+/g)]).toHaveLength(10);
  expect(fs.readFileSync(path.join(out, 'crash-course.svg'), 'utf8')).toMatch(/^<svg[\s\S]*training loss[\s\S]*<\/svg>$/);
  expect(fs.readFileSync(path.join(out, 'crash-course.png')).subarray(1, 4).toString()).toBe('PNG');
});

withData(`examples/mlp-estimator.ts trains with the Estimator and prints the history${absent}`, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-mlp-'));
  const stdout = runExample('mlp-estimator', ['--epochs', '3', '--limit', '3000', '--out', out]);
  const acc = /^  validation accuracy: (\S+) (\S+) (\S+)$/m.exec(stdout);
  expect(acc).not.toBeNull();
  expect(Number(acc![3])).toBeGreaterThan(0.6);
  expect(stdout).toMatch(/^  training loss: \S+ \S+ \S+$/m);
  expect(fs.readdirSync(path.join(out, 'mlp-estimator-checkpoints')).sort()).toEqual(
    ['best', 'epoch1', 'epoch2', 'epoch3'].flatMap((t) => [`mlp-${t}.params`, `mlp-${t}.states`]),
  );
  expect(fs.existsSync(path.join(out, 'mlp-estimator.png'))).toBe(true);
});
