import sys,json,statistics as st,collections
d=collections.defaultdict(lambda: collections.defaultdict(list))
for l in open(sys.argv[1]):
    b,j=l.split(' ',1); j=json.loads(j); r=j['result']
    d[(j['name'],b)]['med'].append(r['median_ns']/1e3); d[(j['name'],b)]['cpu'].append(r['cpu_median_ns']/1e3)
    d[(j['name'],b)]['faults'].append(r['minor_faults']/r['calls']); d[(j['name'],b)]['cpu_per_call'].append(r['cpu_ns']/r['calls']/1e3)
for k in sorted(d):
    print(k, {m:round(st.median(v),2) for m,v in d[k].items()}, 'n',len(d[k]['med']))
