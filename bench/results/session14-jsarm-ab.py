# Session 14: CPU time of whole processes of session14-jsarm.js, arms alternating, start-up subtracted per package.
# usage: python3 session14-jsarm-ab.py ROUNDS CHAINS pkgdir:mode pkgdir:mode ...  (pairs compared: 2nd/1st, 4th/3rd, ...)
import resource, subprocess, sys, statistics, os
rounds=int(sys.argv[1]); n=int(sys.argv[2]); arms=sys.argv[3:]
def run(arm,k):
    pkg,m=arm.split(':'); env=dict(os.environ,PKG=pkg)
    r0=resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(['node',os.path.join(os.path.dirname(os.path.abspath(__file__)),'session14-jsarm.js'),m,str(k)],check=True,env=env)
    r1=resource.getrusage(resource.RUSAGE_CHILDREN); return r1.ru_utime+r1.ru_stime-r0.ru_utime-r0.ru_stime
st={p:statistics.median([run(p+':plain',0) for _ in range(3)]) for p in {a.split(':')[0] for a in arms}}
res={a:[] for a in arms}
for r in range(rounds):
    for a in (arms if r%2==0 else arms[::-1]): res[a].append(run(a,n)-st[a.split(':')[0]])
for a in arms: print(a, f"{statistics.median(res[a])/n/100*1e9:.1f} ns/op")
for i in range(0,len(arms)-1,2):
    rr=[y/x for x,y in zip(res[arms[i]],res[arms[i+1]])]; print(f"{arms[i+1]} / {arms[i]} paired {statistics.median(rr):.3f} ({min(rr):.3f}-{max(rr):.3f})")
