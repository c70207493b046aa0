# Session 17: which instruction sets the code reachable from each kernel table may execute, for a
# built .node (the check of a link-time optimized build: no AVX-512 on the AVX2 or scalar paths).
#   python3 bench/results/session17-isa-reach.py build/Release/ndgrad.node
# Roots: every function in a kernels::scalar / kernels::avx2 namespace, and every function
# pointer stored in a kernel table whose name says scalar / avx2 (kScalarTable, kGemmScalar,
# kGemmAvx2, ...; read from the R_X86_64_RELATIVE relocations). From them, direct calls and jumps
# are followed (by address). Fails if code reachable from the scalar roots has a VEX or EVEX
# encoded instruction (AVX/AVX2/FMA/F16C, or AVX-512), or code reachable from the AVX2 roots an
# EVEX one (AVX-512: zmm, ymm16-31, masks). Encodings are read from the instruction bytes.
# Indirect calls other than through the tables are not followed.
import re, subprocess, sys, collections
path = sys.argv[1]
out = subprocess.run(['objdump', '-d', '-w', path], capture_output=True, text=True).stdout
fre = re.compile(r'^([0-9a-f]+) <(.*)>:$')
ire = re.compile(r'^\s*[0-9a-f]+:\t((?:[0-9a-f]{2} )+)\s*(.*)$')
tre = re.compile(r'\b(?:call|jmp|j[a-z]+)\s+([0-9a-f]+) <[^>+]*>')
enc = collections.defaultdict(set); calls = collections.defaultdict(set); name = {}
f = None
for line in out.splitlines():
    m = fre.match(line)
    if m: f = int(m.group(1), 16); name[f] = m.group(2); continue
    m = ire.match(line)
    if not m or f is None: continue
    b = m.group(1).split(); i = 0
    while i < len(b) and b[i] in ('67', '2e', '3e', '26', '64', '65', '36', 'f0', 'f2', 'f3', '66'): i += 1
    if i < len(b):
        if b[i] == '62': enc[f].add('evex')
        elif b[i] in ('c4', 'c5'): enc[f].add('vex')
    t = tre.search(m.group(2))
    if t and int(t.group(1), 16) != f: calls[f].add(int(t.group(1), 16))
addrs = list(name)
dem = dict(zip(addrs, subprocess.run(['c++filt'], input='\n'.join(name[a] for a in addrs),
                                     capture_output=True, text=True).stdout.split('\n')))
rel = {}
for line in subprocess.run(['readelf', '-rW', path], capture_output=True, text=True).stdout.splitlines():
    p = line.split()
    if len(p) >= 4 and 'R_X86_64_RELATIVE' in p[2]: rel[int(p[0], 16)] = int(p[-1], 16)
tables = collections.defaultdict(set)
for line in subprocess.run(['nm', '-S', '-C', path], capture_output=True, text=True).stdout.splitlines():
    p = line.split(None, 3)
    if len(p) == 4 and p[2] in 'dDrR' and 'kernels' in p[3]:
        low = p[3].lower()
        isa = 'avx512' if 'avx512' in low else 'avx2' if 'avx2' in low else 'scalar' if 'scalar' in low else None
        if not isa: continue
        a, s = int(p[0], 16), int(p[1], 16)
        for o in range(a, a + s, 8):
            if o in rel and rel[o] in name: tables[isa].add(rel[o])
bad = 0
for isa, forbid in (('scalar', {'vex', 'evex'}), ('avx2', {'evex'})):
    seen = set(a for a in addrs if f'kernels::{isa}::' in dem[a]) | tables[isa]
    todo = list(seen)
    while todo:
        n = todo.pop()
        for c in calls[n]:
            if c in name and c not in seen: seen.add(c); todo.append(c)
    hits = [a for a in seen if enc[a] & forbid]
    print(f'{path}: {len(seen)} functions reachable from kernels::{isa} ({len(tables[isa])} table entries);'
          f' with {"/".join(sorted(forbid))} code: {len(hits)}')
    for a in hits: print('   ', sorted(enc[a]), dem[a][:150])
    bad += len(hits)
sys.exit(1 if bad else 0)
