#!/usr/bin/env bash
# Compares a change with what it changes: builds the bench at a git revision (A, default HEAD) and from the working
# tree (B), runs them alternately, and prints the minimum and median of one field for each. The VM this project
# runs on varies by 10-30% between processes, so compare minimums of several runs, not single runs.
# Usage: bash bench/ab.sh WORKLOAD N RUNS [FIELD] [REV]      e.g. bash bench/ab.sh sieve-upto 30011 8
# Flags for the workload go in FLAGS:                        e.g. FLAGS=--trace bash bench/ab.sh sieve-upto 30011 8
set -euo pipefail
cd "$(dirname "$0")/.."
workload=$1 n=$2 runs=$3 field=${4:-ns_per_hop} rev=${5:-HEAD}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git archive "$rev" | tar -x -C "$work"
mkdir -p "$work/A" "$work/B"
dotnet build -c Release "$work/bench" -v q --nologo -o "$work/A" >/dev/null
dotnet build -c Release bench -v q --nologo -o "$work/B" >/dev/null
for ((i = 1; i <= runs; i++)); do
  for v in A B; do
    value=$("$work/$v/StacklessInteractive.Bench" "$workload" "$n" ${FLAGS:-} 2>/dev/null | tr ' ' '\n' | sed -n "s/^$field=//p")
    echo "$v $value"
  done
done | sort -k1,1 -k2,2g | awk '
  { v[$1, ++n[$1]] = $2 }
  END { for (k in n) printf "%s (%s): min %s median %s of %d runs\n", k, (k == "A" ? "'"$rev"'" : "working tree"), v[k, 1], v[k, int((n[k] + 1) / 2)], n[k] }' | sort
