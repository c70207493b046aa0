import resource, subprocess, sys, time, statistics, os
# usage: ab.py rounds chains buildA buildB ...   (build = dir[:ENV=VAL,...])
MODES=os.environ.get('MODES','plain,record').split(',')
rounds=int(sys.argv[1]); chains=int(sys.argv[2]); builds=sys.argv[3:]
def run(b, mode, n):
    d, _, envs = b.partition(':')
    env=dict(os.environ)
    for kv in filter(None, envs.split(',')):
        k,v=kv.split('='); env[k]=v
    r0=resource.getrusage(resource.RUSAGE_CHILDREN); t0=time.time()
    subprocess.run(['node', d+'/bench/recording.js','--child',mode,str(n)],check=True,env=env)
    r1=resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime+r1.ru_stime-r0.ru_utime-r0.ru_stime), time.time()-t0
ops=chains*100
res={b:{'plain':[], 'record':[]} for b in builds}
st={b:statistics.median([run(b,'plain',0)[0] for _ in range(3)]) for b in builds}
for r in range(rounds):
    line=[]
    for b in builds:
        for m in MODES:
            c,w=run(b,m,chains); res[b][m].append(c-st[b])
        p,q=res[b]['plain'][-1],(res[b]['record'] or res[b]['plain'])[-1]
        line.append(f"{b}: {p/ops*1e9:.0f}/{q/ops*1e9:.0f} r={q/p:.3f}")
    print(f"round {r+1}: "+" | ".join(line), flush=True)
for b in builds:
    P,R=res[b]['plain'],res[b]['record'] or res[b]['plain']
    rat=[q/p for p,q in zip(P,R)]
    print(f"{b}: startup {st[b]*1e3:.0f} ms; plain {statistics.median(P)/ops*1e9:.0f} ns/op, record {statistics.median(R)/ops*1e9:.0f} ns/op, ratio median {statistics.median(rat):.3f} (min {min(rat):.3f} max {max(rat):.3f})")
if len(builds)>1:
    a,b=builds[0],builds[1]
    for m in MODES:
        rr=[y/x for x,y in zip(res[a][m],res[b][m])]
        print(f"{m}: {b}/{a} paired median {statistics.median(rr):.3f} (min {min(rr):.3f} max {max(rr):.3f})")
