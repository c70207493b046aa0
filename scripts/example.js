#!/usr/bin/env node
// `npm run example -- <name>`: runs examples/<name>.ts with tsx (TypeScript straight from source;
// the examples import 'ndgrad', which resolves to this package's dist/). No name lists them.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'examples');
const names = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (!name || !names.includes(name.replace(/\.ts$/, ''))) {
  console.log(`usage: npm run example -- <name> [args]\nexamples: ${names.join(', ')}`);
  process.exit(name ? 2 : 0);
}
const tsx = require.resolve('tsx/cli', { paths: [root] });
const r = spawnSync(process.execPath, [tsx, path.join(dir, `${name.replace(/\.ts$/, '')}.ts`), ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
