#!/usr/bin/env node
// `npm run docs`: the API reference (docs/api/index.html) with TypeDoc, from the declarations a
// consumer gets (dist/*.d.ts: doc comments kept, @internal members stripped), so it documents
// exactly the published surface. TypeDoc needs the TypeScript 5/6 compiler API, which the TypeScript 7 of this package
// lacks, so it lives in a project of its own (tools/api-docs/, with its own lockfile), installed on
// first use. Warnings are errors: an exported type that the reference cannot show fails the build.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const tools = path.join(__dirname, '..', 'tools', 'api-docs');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: tools, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const tsc = spawnSync(process.execPath, [path.join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
  cwd: path.join(__dirname, '..'),
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
if (!fs.existsSync(path.join(tools, 'node_modules', 'typedoc'))) {
  run(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}
run(process.execPath, [path.join(tools, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--options', 'typedoc.json']);
