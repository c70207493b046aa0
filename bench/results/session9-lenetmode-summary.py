# Session 9's trace summary: for a trace of session9-pool-trace.patch (T lines, and S lines of
# session9-lenetmode-rounds.js when present), per round of steps (or for the whole trace when there
# are no S lines, as for bench/train_step.js): published parallel_for rounds, rounds that found the
# worker asleep, and the worker's joins on the caller's CPU and on another; M lines are the moves
# off the caller's CPU of each process.
import collections, statistics, sys

recs, steps, moves = [], [], []
for line in open(sys.argv[1]):
    p = line.split()
    if not p:
        continue
    if p[0] == 'T':
        recs.append(list(map(int, p[1:])))
    elif p[0] == 'S':
        steps.append((int(p[1]), int(p[2]), int(p[3])))
    elif p[0] == 'M':
        moves.append(p[1])


def line(label, rs, n):
    par = [r for r in rs if r[3] == 0]
    same = sum(1 for r in par if r[11] >= 0 and r[11] == r[10])
    other = sum(1 for r in par if r[11] >= 0 and r[11] != r[10])
    asleep = sum(1 for r in par if r[6])
    return f"{label}rounds {len(par) / n:.1f} asleep {asleep / n:.1f} joins on the caller's CPU {same / n:.1f} on another {other / n:.1f}"


if steps:
    by_round = collections.defaultdict(list)
    for s in steps:
        by_round[s[2]].append(s)
    for r, ss in sorted(by_round.items()):
        rs = [q for q in recs if any(a <= q[0] < b for a, b, _ in ss)]
        ms = statistics.median((b - a) / 1e6 for a, b, _ in ss)
        print(line(f"round {r}: {ms:.2f} ms, per step: ", rs, len(ss)))
else:
    print(line('whole trace: ', recs, 1))
print('moves off the caller\'s CPU per process:', '/'.join(moves) or 'none')
