# Whole-process CPU time (getrusage of the children) of a command run for two builds in turn.
# usage: python3 session13-ab.py ROUNDS "node --trace-gc {pkg}/bench/mlp_steps.js 3000" /work/main /work/smallpace
# ({pkg} and NDGRAD_PACKAGE are each build; prints scavenges and mark-compacts from --trace-gc)
import resource, subprocess, sys, statistics, os, re
rounds=int(sys.argv[1]); cmd=sys.argv[2]; pkgs=sys.argv[3:]
res={p:[] for p in pkgs}; gcs={p:[] for p in pkgs}
for r in range(rounds):
    for p in pkgs:
        env=dict(os.environ, NDGRAD_PACKAGE=p)
        r0=resource.getrusage(resource.RUSAGE_CHILDREN)
        out=subprocess.run(['bash','-c',cmd.format(pkg=p)],env=env,capture_output=True,text=True,check=True).stdout
        r1=resource.getrusage(resource.RUSAGE_CHILDREN)
        res[p].append(r1.ru_utime+r1.ru_stime-r0.ru_utime-r0.ru_stime)
        gcs[p].append((len(re.findall(r'ms: Scavenge',out)), len(re.findall(r'ms: Mark',out))))
    print(f"round {r+1}: "+" | ".join(f"{p}: {res[p][-1]:.3f}s {gcs[p][-1]}" for p in pkgs), flush=True)
for p in pkgs: print(f"{p}: median {statistics.median(res[p]):.3f}s cpu, scavenges/mc {gcs[p][-1]}")
if len(pkgs)>1:
    rr=[b/a for a,b in zip(res[pkgs[0]],res[pkgs[1]])]
    print(f"paired {pkgs[1]}/{pkgs[0]} median {statistics.median(rr):.3f} (min {min(rr):.3f} max {max(rr):.3f})")
