#!/usr/bin/env node
'use strict';
// A bench row (bench/rows.js) run a fixed number of times, for cachegrind's deterministic
// counts (session 12, pace): run it twice with different call counts and take the difference
// per call, so that start-up and warm-up cancel out:
//   NDGRAD_NUM_THREADS=1 valgrind --tool=cachegrind --cache-sim=yes --LL=33554432,16,64 \
//     node bench/results/session12-cgrow.js "add 1e6" gc|dispose <calls>
const path = require('path');
const root = process.env.NDGRAD_PACKAGE || path.join(__dirname, '..', '..');
const { selectRows } = require(path.join(root, 'bench', 'rows'));
const engine = require(path.join(root, 'bench', 'engines', 'ndgrad'));
const [name, mode, callsText] = process.argv.slice(2);
const row = selectRows(null).find((r) => r.name === name);
if (!row || !['gc', 'dispose'].includes(mode)) {
  process.stderr.write('usage: node bench/results/session12-cgrow.js "<row name>" gc|dispose <calls>\n');
  process.exit(2);
}
const fn = engine.prepare(row, { dispose: mode === 'dispose' });
fn(40);
fn(Number(callsText));
