#!/usr/bin/env bash
# Measures the resident memory of one `malaria train` run: samples VmRSS from /proc every second and marks the end
# of every epoch (the line `Epoch N/M - ...` the trainer prints), so memory per epoch can be compared.
#
#   scripts/rss-per-epoch.sh OUT_PREFIX -- TRAIN_ARGS...
#   e.g. scripts/rss-per-epoch.sh artifacts/rss/basic-cnn-2k -- --data artifacts/data-2k --model basic-cnn \
#        --by cell --ratios 0.9,0.1,0 --epochs 10 --patience 0
#
# Writes OUT_PREFIX.samples.csv (seconds,rss_mib,epoch: epochs completed when sampled) and OUT_PREFIX.epochs.csv
# (epoch,seconds,rss_mib_after,peak_rss_mib_during), and prints the epoch table. Uses the Release build of the CLI
# (built if missing). The model goes to OUT_PREFIX.malaria; a previous checkpoint there is removed first.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 && $2 == "--" ]] || { echo "usage: $0 OUT_PREFIX -- TRAIN_ARGS..." >&2; exit 2; }
prefix=$1; shift 2
# MALARIA_CLI: another build of malaria.dll (e.g. a copy, so that rebuilding the CLI cannot touch a long run).
cli=${MALARIA_CLI:-src/MalariaML.Cli/bin/Release/net10.0/malaria.dll}
[[ -f $cli ]] || dotnet build src/MalariaML.Cli -c Release --nologo -v quiet
mkdir -p "$(dirname "$prefix")"
rm -f "$prefix.malaria" "$prefix.malaria.checkpoint" "$prefix.malaria.split.json"
log=$prefix.log
: >"$log"
dotnet "$cli" train "$@" --out "$prefix.malaria" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT INT TERM
start=$(date +%s.%N)
echo "seconds,rss_mib,epoch" >"$prefix.samples.csv"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n $rss ]] || break
  epochs=$(grep -cE '^Epoch [0-9]+/[0-9]+ - ' "$log" || true)
  now=$(date +%s.%N)
  awk -v t="$(echo "$now - $start" | bc)" -v r="$rss" -v e="$epochs" 'BEGIN { printf "%.1f,%.1f,%d\n", t, r / 1024, e }' >>"$prefix.samples.csv"
  sleep 1
done
set +e
wait "$pid"
status=$?
set -e
trap - EXIT INT TERM
# Per epoch: RSS at the first sample after the epoch's line appeared (the epoch, its checkpoint and the trainer's
# cleanup done, as the memory test reads it), and the peak while the epoch ran.
awk -F, 'BEGIN { print "epoch,seconds,rss_mib_after,peak_rss_mib_during" }
  NR > 1 {
    if (NR > 2 && $3 != last) { printf "%d,%.1f,%.1f,%.1f\n", $3, $1, $2, peak; peak = 0 }
    if ($2 > peak) peak = $2; last = $3
  }' "$prefix.samples.csv" >"$prefix.epochs.csv"
column -s, -t "$prefix.epochs.csv"
echo "peak RSS: $(awk -F, 'NR > 1 && $2 > m {m = $2} END {print m}' "$prefix.samples.csv") MiB; exit status $status; log: $log"
exit "$status"
