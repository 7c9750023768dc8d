#!/usr/bin/env bash
# Runs each workload of the reference set RUNS times (default 3), each run a process of its own, in rounds: a round
# runs every workload once, so that the machine's slow and fast spells (see bench/README.md, Noise) fall on all of
# them alike. Prints every line as it comes, then one line per workload with the median of each field, one with the
# range (minimum-maximum) of the fields that vary from run to run (seconds, ns per hop, ns per round trip), the
# trace's price as the median of each round's traced/untraced sieve ratio, then the medians as a markdown table.
# Usage: bash bench/medians.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
sets=(
  "sieve-upto 104729"
  "sieve-sequential 104729"
  "pingpong 1000000"
  "spawn-blocked 1000000"
  "spawn-run 1000000"
  "sieve-upto 104729 --trace"
)
dotnet build -c Release bench --nologo -v q >/dev/null
declare -A out # "set index,round" -> the run's line
for ((i = 1; i <= runs; i++)); do
  for k in "${!sets[@]}"; do
    set=${sets[$k]}
    # shellcheck disable=SC2086 # the set is a workload, N and flags
    line=$(dotnet run -c Release --project bench --no-build -- $set 2>/dev/null)
    echo "$set #$i: $line"
    out[$k,$i]=$line
  done
done
field() { grep -oE "(^| )$1=[^ ]+" <<<"$2" | cut -d= -f2; }
median() { awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; } # of sorted lines
for k in "${!sets[@]}"; do
  case ${sets[$k]} in
    "sieve-upto 104729") plain=$k ;;
    "sieve-upto 104729 --trace") traced=$k ;;
  esac
done
ratios=$(for ((i = 1; i <= runs; i++)); do
  awk -v t="$(field ns_per_hop "${out[$traced,$i]}")" -v u="$(field ns_per_hop "${out[$plain,$i]}")" 'BEGIN { printf "%.2f\n", t / u }'
done | sort -g)
medians=()
ranges=()
for k in "${!sets[@]}"; do
  lines=()
  for ((i = 1; i <= runs; i++)); do lines+=("${out[$k,$i]}"); done
  median=""
  range=""
  for kv in ${lines[0]}; do
    key=${kv%%=*}
    case $key in
      workload | n | trace) median+="$kv " range+="$kv " ;;
      *)
        sorted=$(printf '%s\n' "${lines[@]}" | grep -oE "(^| )$key=[^ ]+" | cut -d= -f2 | sort -g)
        value=$(median <<<"$sorted")
        median+="$key=$value "
        # The spread, for the fields that vary from run to run (what a figure quoted with its range needs).
        case $key in
          seconds | ns_per_hop | ns_per_round_trip) range+="$key=$(head -n 1 <<<"$sorted")-$(tail -n 1 <<<"$sorted") " ;;
        esac
        ;;
    esac
  done
  medians+=("${median% }")
  ranges+=("${range% }")
done
echo
echo "medians of $runs runs:"
printf '%s\n' "${medians[@]}"
echo
echo "ranges (minimum-maximum) of the same runs:"
printf '%s\n' "${ranges[@]}"
echo
echo "trace: traced/untraced sieve-upto 104729 in the same round, median $(median <<<"$ratios")x, rounds: $(tr '\n' ' ' <<<"$ratios")"
echo
keys=(workload n trace seconds hops ns_per_hop ns_per_round_trip bytes_per_tasklet rss_bytes_per_tasklet allocated_bytes peak_rss_kb)
printf '| %s ' "${keys[@]}"; echo "|"
echo "|$(printf -- '---|%.0s' "${keys[@]}")"
for m in "${medians[@]}"; do
  row="|"
  for key in "${keys[@]}"; do
    value=$(grep -oE "(^| )$key=[^ ]+" <<<"$m" | cut -d= -f2 || true)
    row+=" ${value} |"
  done
  echo "$row"
done
