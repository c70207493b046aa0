#!/usr/bin/env node
// `npm run docs`: the API reference (docs/api/index.html) from lib/'s types and doc comments, with
// TypeDoc. TypeDoc needs the TypeScript 5/6 compiler API, which the TypeScript 7 of this package
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

if (!fs.existsSync(path.join(tools, 'node_modules', 'typedoc'))) {
  run(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}
run(process.execPath, [path.join(tools, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--options', 'typedoc.json']);
