# Session 14: grouped A/B. One copy of a build (its own package directory holding a copy of
# ndgrad.node) moves a whole-process run by up to 5% against another copy of the same bytes, a
# bias more rounds do not remove; so each build is run from several copies, the runs of a round
# in shuffled order, with one start-up (a run with no chains) pooled over all copies. CPU time of
# whole processes of <dir>/bench/recording.js --child MODE CHAINS; per round, the mean over a
# group's copies; paired medians of those means against the first group.
# usage: MODE=record|plain python3 session14-abg.py ROUNDS CHAINS name=dir1,dir2,... name=dir3,...
# A copy: mkdir -p D/build/Release; cp package.json D/; cp -r dist bench D/;
#         ln -s $PWD/node_modules D/node_modules; cp <build>/ndgrad.node D/build/Release/
import resource, subprocess, sys, statistics, os, random
mode=os.environ.get('MODE','record'); rounds=int(sys.argv[1]); chains=int(sys.argv[2])
groups=[(g.split('=')[0], g.split('=')[1].split(',')) for g in sys.argv[3:]]
def run(d, m, n):
    r0=resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(['node', d+'/bench/recording.js','--child',m,str(n)],check=True)
    r1=resource.getrusage(resource.RUSAGE_CHILDREN)
    return r1.ru_utime+r1.ru_stime-r0.ru_utime-r0.ru_stime
alld=[d for _,ds in groups for d in ds]
st=statistics.median([run(d,'plain',0) for d in alld for _ in range(2)])
ops=chains*100
per={name:[] for name,_ in groups}   # per round: mean over the group's copies
rnd=random.Random(1)
for r in range(rounds):
    order=[(name,d) for name,ds in groups for d in ds]; rnd.shuffle(order)
    t={name:[] for name,_ in groups}
    for name,d in order: t[name].append(run(d,mode,chains)-st)
    for name,_ in groups: per[name].append(statistics.mean(t[name]))
    print(f"round {r+1}: "+" ".join(f"{name} {per[name][-1]/ops*1e9:.1f}" for name,_ in groups), flush=True)
print(f"start-up {st*1e3:.0f} ms pooled; mode {mode}; {rounds} rounds of {chains} chains")
a=groups[0][0]
for name,_ in groups:
    s=f"{name}: median {statistics.median(per[name])/ops*1e9:.1f} ns/op"
    if name!=a:
        rr=[y/x for x,y in zip(per[a],per[name])]
        s+=f", paired {name}/{a} median {statistics.median(rr):.3f} (min {min(rr):.3f} max {max(rr):.3f})"
    print(s)
