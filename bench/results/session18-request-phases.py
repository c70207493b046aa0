#!/usr/bin/env python3
"""Medians of a requested scavenge's phases, from a build with session18-request-phases.patch:
    TRACE_REQ=1 node --trace-gc bench/results/session18-after-request.js exp 3000 2> trace.txt
    python3 bench/results/session18-request-phases.py trace.txt
Each REQ line (one per request, microseconds): ext = napi_create_external_arraybuffer of the
ballast; fin = time in the finalizers the collection ran / how many; gc = ballast and the 1-byte
ArrayBuffer that starts the scavenge, finalizers included; detach; total = the whole request().
V8's own figure for each scavenge is the first time of its --trace-gc line."""
import re
import statistics
import sys

reqs, scavenges = [], []
for line in open(sys.argv[1]):
    if line.startswith('REQ'):
        fields = dict(re.findall(r'(\w+) (\d+)', line.replace('/', ' n ')))
        reqs.append({k: int(v) for k, v in fields.items()})
    m = re.search(r'Scavenge .*?MB, ([\d.]+) / [\d.]+ ms', line)
    if m:
        scavenges.append(float(m.group(1)) * 1000)
if not reqs:
    sys.exit('no REQ lines: was the patched build run with TRACE_REQ=1?')
print(f'{len(reqs)} requests; medians (us): ' +
      ', '.join(f'{k} {statistics.median(r[k] for r in reqs)}' for k in ('ext', 'fin', 'n', 'gc', 'detach', 'total')) +
      (f'; V8 scavenge {statistics.median(scavenges):.0f} over {len(scavenges)}' if scavenges else ''))
