# Session 8's pool trace, the summary of the second half of the steps: parallel_for calls per
# step (par: published rounds; skip: run inline after a miss), counted misses, rounds that found
# the worker asleep, rounds it joined, tasks it ran, and on which CPU it joined (the caller's or
# another) with the median latency from publication to join. See session8-lenet.md.
import sys, statistics
recs=[]; steps=[]
for l in open(sys.argv[1]):
    p=l.split()
    if p[0]=='T': recs.append(list(map(int,p[1:])))
    elif p[0]=='S': steps.append((int(p[1]),int(p[2])))
steps=steps[len(steps)//2:]
a0=steps[0][0]; b1=steps[-1][1]
rs=[r for r in recs if a0<=r[0]<b1]
n=len(steps)
par=[r for r in rs if r[3]==0]
print(f"median step {statistics.median((b-a)/1e6 for a,b in steps):.2f} ms; per step: par {len(par)/n:.1f} skip {sum(1 for r in rs if r[3]==1)/n:.1f} miss {sum(r[7] for r in par)/n:.2f} asleep {sum(1 for r in par if r[6])/n:.1f} joined {sum(1 for r in par if r[5])/n:.1f} worker tasks {sum(r[9] for r in par)/n:.0f}/{sum(r[4] for r in par)/n:.0f}")
import collections
print("  caller cpus", collections.Counter(r[10] for r in rs), "worker cpus at join", collections.Counter(r[11] for r in par))
same=[r for r in par if r[11]==r[10]]; other=[r for r in par if r[11]>=0 and r[11]!=r[10]]
print(f"  joins same cpu {len(same)/n:.1f} (asleep {sum(1 for r in same if r[6])/n:.1f}, lat med {statistics.median([r[8]/1e3 for r in same]) if same else -1:.0f} us) other cpu {len(other)/n:.1f} (asleep {sum(1 for r in other if r[6])/n:.1f}, lat med {statistics.median([r[8]/1e3 for r in other]) if other else -1:.0f} us)")
