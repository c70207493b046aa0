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
