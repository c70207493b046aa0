#!/bin/bash
# A/B of the long worker between two trees (A=/work/integ, B=/work/req16 unless set), rows by
# name from bench/rows.js, order alternating by round; one JSON line per row and tree.
# usage: session16-req16-ab.sh ROUNDS MODE(--no-dispose|"") "name1;name2;..." > out.txt
#        python3 bench/results/session16-req16-ab-summary.py out.txt
R=$1; M=$2; NAMES=$3
rows=$(cd ${B:-/work/req16} && node -e "const {ROWS}=require('./bench/rows'); for (const n of process.argv[1].split(';')) { const r=ROWS.find(x=>x.name===n); if(!r) throw new Error(n); console.log(JSON.stringify({row:r})); }" "$NAMES")
for r in $(seq 1 $R); do
  if [ $((r % 2)) = 1 ]; then order="${A:-/work/integ} ${B:-/work/req16}"; else order="${B:-/work/req16} ${A:-/work/integ}"; fi
  for b in $order; do
    (cd $b && printf '%s\n\n' "$rows" | node bench/worker.js ndgrad --long $M 2>/dev/null | grep '"result"' | sed "s|^|$(basename $b) |")
  done
done
