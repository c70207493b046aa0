// Native memory: views share storage, dispose frees at once, nd.memory() counts live storage,
// tidy, and GC keeps long loops flat (run in a child process with --expose-gc).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { autograd, nd, type NDArray } from '../lib';
import { lastJsonLine, regularBuildEnv, runNode } from './helpers/child';

const root = path.join(__dirname, '..');

// The scavenges of a `--trace-gc` child in each of its phases, each phase ended by a line that
// prints its name. A missing mark fails (a phase counted from the wrong line cannot fail).
function scavengesPerPhase(lines: string[], marks: string[]): number[] {
  let start = 0;
  return marks.map((mark) => {
    const end = lines.indexOf(mark);
    expect([mark, end >= start]).toEqual([mark, true]);
    const n = lines.slice(start, end).filter((l) => / ms: Scavenge/.test(l)).length;
    start = end;
    return n;
  });
}

describe('views', () => {
  test('reshape, at and slice share memory with their source', () => {
    const x = nd.arange(12).reshape([3, 4]);
    const row = x.at(1);
    const rows = x.slice(1, 3);
    const flat = x.reshape([-1]);
    row.set(-1);
    expect(Array.from(x.toTypedArray()).slice(4, 8)).toEqual([-1, -1, -1, -1]);
    rows.at(1).set(7);
    expect(Array.from(flat.toTypedArray()).slice(8)).toEqual([7, 7, 7, 7]);
    expect(x.at(2, 3).shape).toEqual([1]);
    expect(x.at(-1).shape).toEqual([4]);
  });

  test('dataView is zero-copy', () => {
    const x = nd.zeros([4]);
    const v = x.dataView();
    v[2] = 5;
    expect(Array.from(x.toTypedArray())).toEqual([0, 0, 5, 0]);
  });
});

describe('dispose and memory()', () => {
  test('dispose frees at once and later use throws', () => {
    // The collector may free earlier garbage between two readings, so the counts are bounds.
    const x = nd.zeros([1000]);
    const during = nd.memory();
    x.dispose();
    const after = nd.memory();
    expect(after.numArrays).toBeLessThanOrEqual(during.numArrays - 1);
    expect(after.numBytes).toBeLessThanOrEqual(during.numBytes - 4000);
    expect(x.isDisposed).toBe(true);
    expect(() => x.add(1)).toThrow(/disposed/);
    expect(() => x.toTypedArray()).toThrow(/disposed/);
    expect(() => nd.exp(x)).toThrow(/exp: .*disposed/);
    x.dispose();
  });

  test('a 1e7-element float32 array holds a 40 MiB block, not a 64 MiB one', () => {
    // Classes above 8 MiB step by a quarter of a power of two (storage.cc): a 38 MiB array took
    // a whole 64 MiB class, and V8 was told of 64 MiB, its whole margin before it marks the heap.
    // A fresh process: no other test's garbage to be freed between the two readings. On the
    // regular build: an ASan build has no size classes (every block is exactly its array's size).
    const out = runNode(
      `const { nd } = require('.');
       const before = nd.memory().numBytes;
       const x = nd.zeros([10000000]);
       console.log(nd.memory().numBytes - before);
       x.dispose();`,
      [],
      regularBuildEnv(),
    );
    expect(Number(out)).toBe(40 * 2 ** 20);
  });

  test('a view keeps the storage alive until both are gone', () => {
    const before = nd.memory().numArrays;
    const x = nd.ones([8]);
    const v = x.reshape([2, 4]);
    x.dispose();
    expect(nd.memory().numArrays).toBe(before + 1);
    const total = v.sum();
    expect(total.asScalar()).toBe(8);
    total.dispose();
    v.dispose();
    expect(nd.memory().numArrays).toBe(before);
  });

  test('tidy disposes everything created inside except what it returns', () => {
    // Which arrays were disposed, rather than a count of live arrays: a collection during the
    // tidy may release another test's garbage and move the count (seen under ASan).
    const inside: NDArray[] = [];
    const kept = nd.tidy(() => {
      const a = nd.ones([10]);
      const b = a.mul(2);
      inside.push(a, b, b.add(1));
      return { result: b.sum() };
    });
    expect(inside.map((x) => x.isDisposed)).toEqual([true, true, true]);
    expect(kept.result.isDisposed).toBe(false);
    expect(kept.result.asScalar()).toBe(20);
    expect(() => nd.tidy(() => Promise.resolve(1))).toThrow(/Promise/);
  });

  test('tidy never disposes a gradient buffer read through x.grad', () => {
    const w = nd.ones([3]);
    w.attachGrad();
    for (let i = 0; i < 3; i++) {
      nd.tidy(() => {
        autograd.record(() => w.square().sum()).backward();
        w.subInPlace(w.grad!.mul(0.25));
      });
    }
    expect(w.grad!.isDisposed).toBe(false);
    expect(Array.from(w.toTypedArray())).toEqual([0.125, 0.125, 0.125]);
  });

  test('backward frees the graph: intermediates are released', () => {
    const x = nd.ones([1000]);
    x.attachGrad();
    const before = nd.memory().numArrays;
    nd.tidy(() => {
      const y = autograd.record(() => x.exp().mul(2).tanh().sum());
      y.backward();
    });
    expect(nd.memory().numArrays).toBe(before);
  });
});

describe('collections paced by the results (young_collections.h)', () => {
  test('a result has no hidden property that spans native memory', () => {
    // The old young-generation weight was an ArrayBuffer over the result's storage on a hidden
    // property: kept past the result's death, it wrote into whatever reused the block.
    const a = nd.ones([100000]);
    const x = a.add(1);
    const props = Object.getOwnPropertyNames(x).map((k) => (x as unknown as Record<string, unknown>)[k]);
    expect(props.some((v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v))).toBe(false);
    x.dispose();
    a.dispose();
  });

  test('results left to the collector are found by scavenges every few results, small ones too', () => {
    const run = (n: number, iters: number) => {
      const r = spawnSync(
        process.execPath,
        ['--trace-gc', '-e', `const { nd } = require('.');
          const a = nd.ones([${n}]), b = nd.ones([${n}]);
          let c, peak = 0;
          for (let i = 0; i < ${iters}; i++) {
            c = a.add(b);
            if (i % 10 === 0) peak = Math.max(peak, nd.memory().numBytes);
          }
          console.log('peak ' + peak);`],
        { cwd: root, encoding: 'utf8', timeout: 120000 },
      );
      expect(r.status).toBe(0);
      const lines = r.stdout.split('\n');
      return {
        scavenges: lines.filter((l) => / ms: Scavenge/.test(l)).length,
        markCompacts: lines.filter((l) => / ms: Mark-Compact/.test(l)).length,
        peak: Number(lines.find((l) => l.startsWith('peak '))!.slice(5)),
      };
    };
    // 1e5 float32 (512 KiB blocks): one scavenge per 16 results. Before, V8 found them every
    // 32 MiB of ArrayBuffers (64 results), so 32 MiB of dead results waited.
    const mid = run(100000, 2000);
    expect(mid.scavenges).toBeGreaterThanOrEqual(80);
    expect(mid.markCompacts).toBeLessThanOrEqual(2);
    expect(mid.peak).toBeLessThan(16 * 1048576);
    // 64 KiB results (an MLP's activations): one scavenge per 8 MiB, as a request costs more
    // than 20 of these adds (young_collections.h, wait_limit). Before session 5, only
    // mark-compacts found them, every 64 MiB; until session 9, a scavenge every 2 MiB (628 here)
    // cost more CPU than the adds themselves.
    const small = run(16384, 20000);
    expect(small.scavenges).toBeGreaterThanOrEqual(120);
    expect(small.scavenges).toBeLessThanOrEqual(320);
    expect(small.markCompacts).toBeLessThanOrEqual(2);
    expect(small.peak).toBeLessThan(10 * 1048576);
  });

  test("a program's own JS objects between results do not hold the requests back", () => {
    // Each add is followed by up to 200 small JS objects, a different number each time, so the
    // young generation is at every fill when a request comes. The garbage that keeps V8's
    // allocation rate up (feed_allocation_rate) was allocated before the request until session
    // 17: V8 then collected inside it now and then, the request found the results already freed,
    // and the next ones came four times further apart (60 dead results instead of 16; this loop
    // hit it in every run, the loop above only on some machines).
    const out = runNode(`
      const { nd } = require('.');
      require('./dist/core/native').native.setPacing('pace');
      const a = nd.ones([100000]), b = nd.ones([100000]);
      let c, obj, peak = 0, sum = 0;
      for (let i = 0; i < 3000; i++) {
        c = a.add(b);
        for (let j = 0, m = (i * 37) % 200; j < m; j++) { obj = { i, j, s: [i, j] }; sum += obj.s.length; }
        if (i % 10 === 0) peak = Math.max(peak, nd.memory().numBytes);
      }
      console.log(JSON.stringify({ peak, sum }));`);
    const { peak } = lastJsonLine<{ peak: number }>(out);
    expect(peak).toBeLessThan(16 * 1048576);
  });

  test('a loop that disposes its results asks for no collection', () => {
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '-e', `const { nd } = require('.');
        const a = nd.ones([1000000]);
        for (let i = 0; i < 1000; i++) a.add(1).dispose();
        for (let i = 0; i < 1000; i++) nd.tidy(() => { a.add(1).mul(2); });`],
      { cwd: root, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    // 12 GB of results; the weight of the old design brought a scavenge every 8.
    expect(r.stdout.split('\n').filter((l) => / ms: (Scavenge|Mark-Compact)/.test(l)).length).toBeLessThanOrEqual(10);
  });

  test('after large arrays fill the pool, small results still reuse its blocks', () => {
    // Four dead 64 MiB blocks fill the pool's 256 MiB cache. A full cache used to refuse every
    // later block, so each 64 KiB result came from fresh pages (16 faults each).
    const out = runNode(
      `const { nd } = require('.');
       const big = [0, 1, 2, 3].map(() => nd.zeros([10000000]));
       big.forEach((x) => x.dispose());
       const a = nd.ones([16384]);
       let c;
       for (let i = 0; i < 500; i++) c = a.add(i);
       const before = process.resourceUsage().minorPageFault;
       for (let i = 0; i < 5000; i++) c = a.add(i);
       console.log(process.resourceUsage().minorPageFault - before);`,
    );
    expect(Number(out)).toBeLessThan(5000);
  });

  // Mark-compacts of a `--trace-gc` child, counted on a measure that depends on neither the
  // machine's load nor wall time. The addon's requests follow a schedule that reads no clock
  // (native.setPacing, young_collections.h: Schedule): 'pace', every request at its pace, as on
  // an idle machine; 'wait', the time rule always binds, as on the busiest machine; 'none', no
  // request, V8 alone, the baseline. And V8 marks without incremental steps
  // (--no-incremental-marking), so it collects the whole heap the moment its external count
  // passes its limit, not some milliseconds of marking later. And its old generation starts
  // at 64 MiB (--initial-old-space-size), so that the JS objects kept here never reach its
  // first limit, which V8 sets from its measured collection and mutator speeds (at the default,
  // V8 alone met a seventh mark-compact, "allocation failure", in some runs of the `kept` loop
  // and not in others). The count is then a function of the program alone (the same in every
  // run, at loads of 4.5 to 9.5). With the clock's time rule the count moved with the load: 9-10
  // here at a load of 5, on code that makes 6. The child runs the regular build also under
  // `npm run test:asan`: the AddressSanitizer build gives every array a block of exactly its size
  // and pools none (core/runtime/sanitizer.h), so V8's count and its own collections differ
  // there (V8 alone met 4 mark-compacts in the small-results loop, the 'wait' schedule 6).
  function fullCollections(body: string, schedule: 'pace' | 'wait' | 'none'): number {
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '--no-incremental-marking', '--initial-old-space-size=64', '-e', `const { nd } = require('.');
        require('./dist/core/native').native.setPacing('${schedule}');
        ${body}`],
      { cwd: root, encoding: 'utf8', timeout: 120000, env: regularBuildEnv() },
    );
    expect([schedule, r.status, r.stderr]).toEqual([schedule, 0, '']);
    const lines = r.stdout.split('\n');
    expect([schedule, lines.includes('done')]).toEqual([schedule, true]);
    return lines.filter((l) => / ms: Mark-Compact/.test(l)).length;
  }

  // The paced schedules may meet at most 7 mark-compacts, and at most one more than V8 alone.
  function expectNoExtraFullCollections(body: string): void {
    const alone = fullCollections(body, 'none');
    for (const schedule of ['pace', 'wait'] as const) {
      const paced = fullCollections(body, schedule);
      const verdict = { schedule, paced, alone, within: paced <= 7 && paced <= alone + 1 };
      expect(verdict).toEqual({ ...verdict, within: true });
    }
  }

  test('results kept alive bring no extra mark-compact collections', () => {
    // Requests that free nothing space out, so the ballast never raises V8's external count
    // towards its limit: V8 alone (no requests) collects this growth in 6 mark-compacts, and so
    // does the pacing, at either schedule (without the backoff: 12 at both).
    const body = `const a = nd.ones([100000]);
      const kept = [];
      for (let i = 0; i < 800; i++) kept.push(a.add(i));
      for (let i = 0; i < 8000; i++) kept.push(nd.ones([16]).add(i));
      if (kept.length === 8800) console.log('done');`;
    expectNoExtraFullCollections(body);
  });

  test('results kept alive among small dying ones bring no extra mark-compact collections', () => {
    // Small results found dead count at most their 4 KiB each towards a request's yield, so
    // dying temporaries do not hide the kept results. Counted per owner, 20 dead temporaries
    // per kept 1e5 result made every request look fruitful: 11-12 mark-compacts at the 'pace'
    // schedule (193 scavenges; at 'wait' the requests are too few to show it: 6); V8 alone: 6;
    // now 6 at 'pace', 7 at 'wait' (and 10 and 9 without the canary of young_collections.h).
    const body = `const a = nd.ones([100000]), s = nd.ones([1024]);
      const kept = [];
      let t;
      for (let i = 0; i < 800; i++) {
        kept.push(a.add(i));
        for (let j = 0; j < 20; j++) t = s.add(j);
      }
      if (kept.length === 800) console.log('done');`;
    expectNoExtraFullCollections(body);
  });
});

describe('large (unpooled) buffers', () => {
  // Buffers above the pool's largest class (64 MiB) go straight back to the system, which unmaps
  // them; the storage object lives in its block's header, so its destructor must not touch itself
  // after handing the block back (it did, and releasing an 80 MB array crashed the process).
  test('arrays above 64 MiB are released without touching freed memory', () => {
    const script = `
      const { nd } = require('.');
      for (let i = 0; i < 3; i++) {
        const x = nd.zeros([20000000]);
        x.dispose();
        nd.ones([20000000]).sum().dispose();
      }
      console.log(nd.memory().numArrays);`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 120000 });
    expect([r.status, r.signal, r.stderr.slice(0, 300)]).toEqual([0, null, '']);
  });
});

describe('garbage collection', () => {
  test('a long loop without dispose stays flat (native memory is reported to V8)', () => {
    const out = runNode(
      `const { nd } = require('.');
       const a = nd.ones([256, 256]);
       let peak = 0;
       for (let i = 0; i < 4000; i++) {
         const b = a.mul(i).add(1);
         if (i % 200 === 0) peak = Math.max(peak, nd.memory().numBytes);
       }
       global.gc();
       const after = nd.memory().numBytes;
       console.log(JSON.stringify({ peak, after, rss: process.memoryUsage().rss }));`,
      ['--expose-gc'],
    );
    const { peak, after, rss } = JSON.parse(out);
    // 4000 iterations x 2 arrays x 256 KiB would be 2 GiB without collection.
    expect(peak).toBeLessThan(512 * 1024 * 1024);
    expect(after).toBeLessThan(4 * 1024 * 1024);
    expect(rss).toBeLessThan(1024 * 1024 * 1024);
  });

  test('2,000 adds of 1e6 elements without dispose keep native memory bounded', () => {
    const out = runNode(
      `const { nd } = require('.');
       const a = nd.ones([1000000]), b = nd.ones([1000000]);
       let c, peak = 0, peakRss = 0;
       for (let i = 0; i < 2000; i++) {
         c = a.add(b);
         if (i % 50 === 0) {
           peak = Math.max(peak, nd.memory().numBytes);
           peakRss = Math.max(peakRss, process.memoryUsage().rss);
         }
       }
       console.log(JSON.stringify({ peak, peakRss, last: c.toTypedArray()[999999] }));`,
    );
    const { peak, peakRss, last } = JSON.parse(out);
    expect(last).toBe(2);
    // 2,000 results of 4 MiB would be 8 GiB; the collector keeps a few dozen alive at a time.
    expect(peak).toBeLessThan(512 * 1024 * 1024);
    expect(peakRss).toBeLessThan(1024 * 1024 * 1024);
  });

  test('V8 learns of native memory freed by a collection before the next op', () => {
    // Finalizers run inside the collection and report what they free at once: V8 bases its next
    // external-memory limit on the total it knows when the collection ends, so frees reported
    // only at the next op would let twice as much garbage pile up before the next collection.
    const out = runNode(
      `const { nd } = require('.');
       const { native } = require('./dist/core/native');
       const mib = (x) => Math.round(x / 1048576);
       const a = nd.ones([1000000]);
       global.gc();
       const base = native.reportedMemory();
       let kept = [];
       for (let i = 0; i < 8; i++) {
         const m = nd.ones([512, 512]);
         kept.push(a.add(1), m, nd.dot(m, m));
       }
       const held = native.reportedMemory() - base;
       kept = null;
       global.gc();
       const reported = native.reportedMemory();  // before any call that could report
       const live = native.memory().numBytes;
       let y;
       for (let i = 0; i < 40; i++) y = a.add(i);  // collections requested (young_collections.h)
       y = null;
       global.gc();
       const paced = native.reportedMemory() - native.memory().numBytes;
       const x = a.add(1);
       x.dispose();
       const disposed = native.reportedMemory() - native.memory().numBytes;
       console.log(JSON.stringify({ held: mib(held), freed: mib(base + held - reported), unreported: mib(reported - live), paced: mib(paced), disposed: mib(disposed) }));`,
      ['--expose-gc'],
    );
    const { held, freed, unreported, paced, disposed } = JSON.parse(out);
    // 8 x (a 4 MiB sum, a 1 MiB input, its 1 MiB product), within the 1 MiB reporting batch
    expect(held).toBeGreaterThanOrEqual(40);
    expect(freed).toBeGreaterThanOrEqual(40);
    // what V8 counts is what is alive (the collector may keep a few of the arrays for a while)
    // (native.reportedMemory() is V8's own count: the ballast of a requested collection leaves
    // nothing in it)
    expect(Math.abs(unreported)).toBeLessThanOrEqual(1);
    expect(Math.abs(paced)).toBeLessThanOrEqual(1);
    expect(Math.abs(disposed)).toBeLessThanOrEqual(1);
  });

  test('large results left to the collector are freed by young-generation collections', () => {
    // The addon asks for scavenges as results add up (young_collections.h); reported only as
    // external memory, they were found by mark-compact collections of the whole heap, one every
    // 64 MiB.
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '-e', `const { nd } = require('.');
        const a = nd.ones([1000000]);
        let c, d;
        for (let i = 0; i < 400; i++) {
          c = a.add(i);  // a slot handle from binary/scalar
          d = nd.concat(a, a, { dim: 0 });  // and one through invoke
        }`],
      { cwd: root, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    const scavenges = r.stdout.split('\n').filter((l) => / ms: Scavenge/.test(l)).length;
    const markCompacts = r.stdout.split('\n').filter((l) => / ms: Mark-Compact/.test(l)).length;
    // 4.8 GB of results. Before any pacing: no scavenge, 57 mark-compacts; with the hidden
    // weight of session 5, about 220 scavenges and 36 mark-compacts; now about 136 scavenges
    // (one per 32 MiB) and no mark-compact.
    expect(scavenges).toBeGreaterThanOrEqual(40);
    expect(markCompacts).toBeLessThanOrEqual(3);
  });

  test('1e7-element results left to the collector are freed by scavenges, not mark-compacts', () => {
    // A 40 MiB result reported in full took V8's count past its limit (64 MiB above its lowest
    // since the last mark-compact) every other call: V8 marked the heap, and no scavenge frees a
    // result made while it marks. V8's count now lags the live bytes by up to six such results
    // (young_collections.h: allowance()), and the results are paced like smaller ones.
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '-e', `const { nd } = require('.');
        const a = nd.ones([10000000]);
        const b = nd.ones([10000000]);
        let c, peak = 0;
        for (let i = 0; i < 200; i++) {
          c = a.add(b);
          peak = Math.max(peak, nd.memory().numBytes);
        }
        console.log('peak', peak);`],
      { cwd: root, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const scavenges = lines.filter((l) => / ms: Scavenge/.test(l)).length;
    const markCompacts = lines.filter((l) => / ms: Mark-Compact/.test(l)).length;
    const peak = Number(lines.find((l) => l.startsWith('peak'))!.split(' ')[1]);
    // before: 3 scavenges and 67-85 mark-compacts per 200 calls; now one scavenge every two
    // calls and the 3 mark-compacts of the first calls (once 29, under a load of 20 on two
    // cores: a mark-compact late enough leaves V8's count too close to its limit for a while)
    expect(scavenges).toBeGreaterThanOrEqual(50);
    expect(markCompacts).toBeLessThanOrEqual(40);
    // the inputs and a bounded number of results: 80 MiB + 10 x 40 MiB
    expect(peak).toBeLessThanOrEqual(480 * 2 ** 20);
  });

  test('a loop of 1e7-element results after a loop of 1e6-element ones starts no mark-compact', () => {
    // A request's ballast (32 MiB) counts as external memory while it lives. The request took
    // out of its report only what V8's count had grown by since the last request, which is
    // nothing once the count is flat (the allowance of 1e7-element results), so every request
    // raised the count by the whole ballast. The 1e6 loop's first request had left V8's lowest
    // count 32 MiB below the 1e7 loop's level (its limit is 64 MiB above that lowest), so the
    // 1e7 loop's first requests crossed the limit: V8 marked the heap, the results made
    // meanwhile survived their scavenges, and 3 mark-compacts and 3-4 fresh 40 MiB blocks
    // followed. The report now dips as far as the lowest count V8 has answered, and no further.
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '-e', `const { nd } = require('.');
        let a = nd.random.uniform({ shape: [1e6] }), b = nd.random.uniform({ shape: [1e6] }), c;
        for (let i = 0; i < 400; i++) c = a.add(b);
        console.log('large');
        a = nd.random.uniform({ shape: [1e7] });
        b = nd.random.uniform({ shape: [1e7] });
        for (let i = 0; i < 60; i++) c = a.add(b);`],
      { cwd: root, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    const large = r.stdout.slice(r.stdout.indexOf('large\n')).split('\n');
    // before: 3 mark-compacts in the 1e7 loop, every run; now none
    expect(large.filter((l) => / ms: Scavenge/.test(l)).length).toBeGreaterThanOrEqual(20);
    expect(large.filter((l) => / ms: Mark-Compact/.test(l)).length).toBeLessThanOrEqual(1);
  });

  test('V8 counts kept 1e7-element results but at most six of them', () => {
    // The allowance that lets V8's count lag behind large results is bounded: results that are
    // kept (a leak) are reported beyond it, so V8 still collects when they are let go.
    const out = runNode(
      `const { nd } = require('.');
       const { native } = require('./dist/core/native');
       const base = native.reportedMemory() - nd.memory().numBytes;
       const a = nd.ones([10000000]);
       const kept = [];
       const lag = [];
       for (let i = 0; i < 12; i++) {
         kept.push(a.add(i));
         const live = nd.memory().numBytes;
         lag.push(live - (native.reportedMemory() - base));
       }
       console.log(JSON.stringify(lag.map((x) => x / 2 ** 20)));`,
    );
    const lag: number[] = JSON.parse(out);
    for (const x of lag) {
      expect(x).toBeGreaterThanOrEqual(-1);
      expect(x).toBeLessThanOrEqual(6 * 40 + 1);
    }
    // 13 arrays of 40 MiB alive at the end: V8 knows of at least 7 of them
    expect(lag[lag.length - 1]).toBeLessThanOrEqual(6 * 40 + 1);
  });

  test('a mark-compact of V8 between two requests leaves the pace as it was', () => {
    // The loop of the test above, with one full collection at a moment when V8 itself may start
    // one (its schedule shifts with load). Before, it sent the next request at once, finding
    // nothing, and one mark-compact came per request from then on: 50 here, 65 in the test above
    // on a loaded CI machine.
    const r = spawnSync(
      process.execPath,
      ['--expose-gc', '--trace-gc', '-e', `const { nd } = require('.');
        const a = nd.ones([1000000]);
        let c, d;
        for (let i = 0; i < 400; i++) {
          c = a.add(i);
          d = nd.concat(a, a, { dim: 0 });
          if (i === 100) gc();
        }`],
      { cwd: root, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => / ms: Mark-Compact/.test(l)).length).toBeLessThanOrEqual(4);
  });

  test('after requests that found nothing, the pace comes back instead of one mark-compact per request', () => {
    // Kept results make requests find nothing, so the pace spaces out; V8's own mark-compact
    // then comes first. Counting the results it had found as still owed sent the next request
    // at once, found nothing again, and from then on every request came after a mark-compact
    // (53 scavenges + 53 mark-compacts here; in the long bench run, every row after the 4 KiB
    // rows; under load, the test above once counted 65 mark-compacts).
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '-e', `const { nd } = require('.');
        const a = nd.ones([1000000]);
        let kept = [];
        for (let i = 0; i < 40; i++) kept.push(a.add(i));
        kept = null;
        console.log('loop');
        let c;
        for (let i = 0; i < 1000; i++) c = a.add(i);`],
      { cwd: root, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    const loop = r.stdout.slice(r.stdout.indexOf('loop\n')).split('\n');
    expect(loop.filter((l) => / ms: Scavenge/.test(l)).length).toBeGreaterThanOrEqual(60);
    expect(loop.filter((l) => / ms: Mark-Compact/.test(l)).length).toBeLessThanOrEqual(3);
  });

  test('results of 4 KiB, released by later ops, keep their pace', () => {
    // Small arrays are released by the next ops, not by the collection that finds them (handles.h):
    // judged by the bytes it freed alone, every request looked fruitless and the pace spaced out
    // 64 times (6 scavenges in 50,000 results, each result in a cold block: 2.4 us CPU per add
    // against 1.1).
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '-e', `const { nd } = require('.');
        const a = nd.ones([1024]);
        let c;
        for (let i = 0; i < 50000; i++) c = a.add(i);`],
      { cwd: root, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    // one request per 8 MiB of results (as short ops wait, young_collections.h): 24-28
    expect(r.stdout.split('\n').filter((l) => / ms: Scavenge/.test(l)).length).toBeGreaterThanOrEqual(18);
    expect(r.stdout.split('\n').filter((l) => / ms: Mark-Compact/.test(l)).length).toBeLessThanOrEqual(2);
  });

  test('dropped recorded graphs are found every few thousand nodes, kept ones not', () => {
    // A recorded op's node is freed once a collection finds its result dead; each 4,096
    // recorded results (512 KiB of the node lines their release reads; 2,048 whole nodes before
    // session 15) ask for one (young_collections.h, count_node), so the nodes are still in L2
    // when the ops after it free and reuse them. Left to V8, 2,000 dropped chains of 100 2x2
    // ops met 9 scavenges; paced, 88 (two units per node, quiet), 38 (one unit, load 4-8). One graph of 100,000 ops kept for its backward: requests
    // that free no node space out (11 scavenges; 3 left to V8, 49 at the unchanged pace).
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '-e', `const { nd, autograd } = require('.');
        const x = nd.array([[0.5, 0.7], [0.9, 1.1]]);
        x.attachGrad();
        const chain = () => { let y = x; for (let i = 0; i < 25; i++) y = y.mul(x).add(x).tanh().sub(x); return y; };
        let sink;
        for (let i = 0; i < 2000; i++) sink = autograd.record(chain);
        console.log('dropped');
        const one = nd.array([1]);
        one.attachGrad();
        const z = autograd.record(() => { let v = one; for (let i = 0; i < 100000; i++) v = v.mul(1.000001); return v; });
        console.log('kept');
        z.backward();
        console.log(JSON.stringify({ grad: one.grad.asScalar(), value: z.asScalar() }));`],
      { cwd: root, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const [dropped, kept] = scavengesPerPhase(lines, ['dropped', 'kept']);
    // Requests are also held to a fifth of the time, so their count falls with the machine's
    // load (88 quiet, 37-38 with three test suites on two cores); V8 alone makes 9.
    expect(dropped).toBeGreaterThanOrEqual(20);
    expect(kept).toBeLessThanOrEqual(25);
    // the kept graph came through the requests whole: z = c^n, so dz/dx = z
    const { grad, value } = JSON.parse(lines.find((l) => l.startsWith('{'))!);
    expect(grad).toBeCloseTo(value, 4);
  });

  test('dropped small results are found every few thousand, kept or disposed ones not', () => {
    // Each small unrecorded result (16 bytes here) counts one unit of the budget that recorded
    // nodes pace (young_collections.h, count_unit): a request per 4,096 results, so their
    // owners, arrays and storage are freed while still in cache. 500,000 dropped 2x2 results:
    // 19 scavenges left to V8, 90 paced at a load of 5. 100,000 disposed: their units
    // are given back, no request (3 scavenges, V8's; 24 without the give-back). A list that
    // keeps 100,000: requests that find no owner dead space out (5-6 scavenges; V8 alone 4;
    // 23 without the backoff).
    const r = spawnSync(
      process.execPath,
      ['--trace-gc', '-e', `const { nd } = require('.');
        const a = nd.array([[0.5, 0.7], [0.9, 1.1]]);
        let c = a;
        for (let i = 0; i < 250000; i++) c = a.add(c).mul(0.5);
        console.log('dropped');
        for (let i = 0; i < 100000; i++) a.add(i).dispose();
        console.log('disposed');
        const kept = [];
        for (let i = 0; i < 100000; i++) kept.push(a.add(i));
        console.log('kept');
        const picks = [0, 1, 2047, 2048, 50000, 99999].map((i) => kept[i].toArray());
        console.log(JSON.stringify({ c: c.toArray(), picks }));`],
      { cwd: root, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const [dropped, disposed, kept] = scavengesPerPhase(lines, ['dropped', 'disposed', 'kept']);
    // Requests are held to a fifth of the time, so their count falls with the machine's load
    // (session 12's graph test: 88 quiet, 37-38 with three suites on two cores, and a bound of
    // 40 there failed at two suites on two cores): 40 is twice what V8 makes alone.
    expect(dropped).toBeGreaterThanOrEqual(40);
    expect(disposed).toBeLessThanOrEqual(12);
    expect(kept).toBeLessThanOrEqual(12);
    const { c, picks } = JSON.parse(lines.find((l) => l.startsWith('{'))!);
    // c = (a + c) / 2 from c = a stays a
    expect(c).toEqual([[0.5, 0.699999988079071], [0.8999999761581421, 1.100000023841858]]);
    [0, 1, 2047, 2048, 50000, 99999].forEach((i, k) => {
      expect(picks[k]).toEqual([[0.5, 0.7], [0.9, 1.1]].map((row) => row.map((v) => Math.fround(Math.fround(v) + i))));
    });
  });

  test('100,000 record/backward steps on small arrays keep memory flat', () => {
    const out = runNode(
      `const { nd, autograd } = require('.');
       const x = nd.array([[1, 2], [3, 4]]);
       x.attachGrad();
       const sample = () => { global.gc(); return { arrays: nd.memory().numArrays, rss: process.memoryUsage().rss }; };
       for (let i = 0; i < 2000; i++) autograd.record(() => x.mul(x).exp().sum()).backward();
       const a = sample();
       for (let i = 0; i < 100000; i++) autograd.record(() => x.mul(x).exp().sum()).backward();
       const b = sample();
       console.log(JSON.stringify({ a, b }));`,
      ['--expose-gc'],
    );
    const { a, b } = JSON.parse(out);
    expect(b.arrays - a.arrays).toBeLessThan(50);
    expect(b.rss - a.rss).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('long graphs', () => {
  test('a recorded chain of 300,000 ops is freed without deep recursion, with or without backward', () => {
    const out = runNode(
      `const { nd, autograd } = require('.');
       const x = nd.array([1]); x.attachGrad();
       const chain = () => { let v = x; for (let i = 0; i < 300000; i++) v = v.mul(1.000001); return v; };
       let y = autograd.record(chain);
       y = null; global.gc();
       const z = autograd.record(chain);
       z.backward();
       const grad = x.grad.asScalar(), value = z.asScalar();
       global.gc();
       console.log(JSON.stringify({ grad, value, arrays: nd.memory().numArrays }));`,
      ['--expose-gc', '--stack-size=984'],
    );
    const { grad, value, arrays } = JSON.parse(out);
    // z = x * c^n with x = 1, so dz/dx = c^n = z (float32 rounding along the chain included).
    expect(grad).toBeCloseTo(value, 4);
    // z lives on, and so does its page (native/binding/result_pages.h): up to 15 dead arrays of
    // the chain's last ops kept with it.
    expect(arrays).toBeLessThan(10 + 15);
  });
});

describe('per-environment state', () => {
  test('worker_threads each have their own recording state and memory', () => {
    const out = runNode(
      `const { Worker } = require('worker_threads');
       const { nd, autograd } = require('.');
       autograd.setRecording(true);
       const w = new Worker(\`
         const { parentPort } = require('worker_threads');
         const { nd, autograd } = require(${JSON.stringify(root)});
         const x = nd.array([1, 2]); x.attachGrad();
         const y = autograd.record(() => x.mul(x).sum()); y.backward();
         parentPort.postMessage({ recording: autograd.isRecording(), grad: Array.from(x.grad.toTypedArray()) });
       \`, { eval: true });
       w.on('message', (m) => { console.log(JSON.stringify({ ...m, mainRecording: autograd.isRecording() })); autograd.setRecording(false); });
       w.on('error', (e) => { console.error(e); process.exit(1); });`,
    );
    expect(JSON.parse(out)).toEqual({ recording: false, grad: [2, 4], mainRecording: true });
  });
});
