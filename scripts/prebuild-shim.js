#!/usr/bin/env node
// Stands in for node-gyp when prebuildify runs (`prebuildify --napi --strip --node-gyp
// scripts/prebuild-shim.js`): prebuildify can only drive node-gyp (prebuild/prebuildify#49), and
// it calls `<node-gyp> rebuild --target=<v> --devdir=<dir> --arch=<a> --release|--debug`, then
// strips the first *.node in build/Release (or build/Debug) and moves it to
// prebuilds/<platform>-<arch>/<name>.node. This turns that call into `cmake-js rebuild`.
// --target and --devdir only pick Node headers to download; a Node-API build (package.json
// `binary.napi_versions`) compiles against the node-api-headers package, so they are ignored.
'use strict';
const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');

const [command, ...flags] = process.argv.slice(2);
if (command !== 'rebuild') {
  console.error(`prebuild-shim: only 'rebuild' is supported (prebuildify's call), got '${command}'`);
  process.exit(2);
}

const jobs = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
const args = ['rebuild', '--parallel', String(jobs)];
for (const flag of flags) {
  if (flag === '--debug') args.push('--debug');
  else if (flag.startsWith('--arch=')) args.push('--arch', flag.slice('--arch='.length));
}

const root = path.join(__dirname, '..');
const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
console.log(`prebuild-shim: cmake-js ${args.join(' ')}`);
const result = spawnSync(process.execPath, [cmakeJs, ...args], { cwd: root, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
