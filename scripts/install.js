#!/usr/bin/env node
// `npm install`'s script: keep the prebuilt binary when one loads on this machine (the packed
// tarball ships prebuilds/linux-x64/), otherwise build from source with cmake-js. Either way it
// speaks in one line, never a stack trace: a clone of the repository has no prebuild, and that is
// expected, not an error.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
const target = `${process.platform}-${process.arch}, Node ${process.versions.node}`;

// The addon file that loads here (a prebuild, or a local build in a clone), or null.
function loadable() {
  try {
    const load = require('node-gyp-build');
    load(root);
    return path.relative(root, load.path(root));
  } catch {
    return null;
  }
}

// process.exitCode rather than process.exit(): output to a pipe (npm's) is written asynchronously,
// and exit() would drop the lines that say what happened.
function install() {
  const found = process.env.NDGRAD_BUILD_FROM_SOURCE === '1' ? null : loadable();
  if (found) {
    console.log(`ndgrad: using the native addon ${found} for ${target}; nothing to build`);
    return 0;
  }
  console.log(
    `ndgrad: no prebuilt native addon for ${target}; building it from source with cmake-js ` +
      '(needs CMake >= 3.18 and a C++17 compiler; 1-3 minutes)',
  );
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  const r = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
  if (r.status === 0) return 0;
  const missing = spawnSync('cmake', ['--version']).error ? ' (cmake was not found on PATH)' : '';
  console.error(
    `ndgrad: the source build failed${missing}. Install CMake >= 3.18 and a C++17 compiler ` +
      '(e.g. `apt-get install cmake g++`), or use a platform with a prebuilt binary (docs/building.md).',
  );
  return r.status ?? 1;
}

process.exitCode = install();
