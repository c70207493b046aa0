#!/usr/bin/env python3
# Alternating A/B of bench/results/session16-ring.js (or SCRIPT=...): each round runs every
# variant once, in reverse order every other round; prints the medians.
#   python3 bench/results/session16-ab.py ROUNDS 'main=NDGRAD_PACKAGE:/work/main;new=NDGRAD_PACKAGE:/work/cold16' -- add 1e6 8 7 60
# A variant is label=VAR:value,VAR:value (environment variables).
import subprocess, json, sys, os, statistics
rounds=int(sys.argv[1]); variants=[]
for v in sys.argv[2].split(';'):
    label,_,envs=v.partition('=')
    env=dict(os.environ)
    for kv in filter(None,envs.split(',')):
        k,_,val=kv.partition(':'); env[k]=val
    variants.append((label,env))
args=sys.argv[4:]
res={l:[] for l,_ in variants}
for r in range(rounds):
    for label,env in (variants if r%2==0 else variants[::-1]):
        script=env.get('SCRIPT', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'session16-ring.js'))
        out=subprocess.run(['node',script]+args,env=env,capture_output=True,text=True).stdout
        d=json.loads(out.strip().splitlines()[-1]); res[label].append(d)
for label,_ in variants:
    ds=res[label]
    f=lambda key: statistics.median([d[key] for d in ds])
    print(f"{label:12s} cpu med {f('cpu_us'):7.1f}  wall med {f('wall_us'):7.1f}  call med {f('call_median_us'):7.1f}   cpu: {' '.join(str(d['cpu_us']) for d in ds)}")
