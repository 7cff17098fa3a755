#!/usr/bin/env bash
# Cells per second of `malaria cluster run` with 1, 2 and 3 silos on this machine against `malaria predict` in one
# process, on the same cells, with the outputs compared byte for byte. Starts its own redis-server (Debian's) on a
# free loopback port and stops it, with the silos, on exit.
# Times are wall-clock seconds of the command a user runs: predict includes its process start and model load; a
# cluster job includes the client's start, the submission, the scoring and the merge, but not the silos' start (a
# cluster is started once and serves many jobs). Configurations alternate round by round so that a drifting load on a
# shared machine hits all alike.
# CPU seconds (user + system) are counted too: predict's process; for a job, its silos' (the difference of
# /proc/PID/stat over the job) plus the client's. On a loaded machine wall-clock time swings with other people's work,
# while the CPU time a job needs barely moves, so it shows what the cluster itself costs over predict.
# Usage: scripts/bench-cluster.sh MODEL.malaria [CELLS_DIR] [ROUNDS] [SHARD_SIZE] [SILOS]   (build the CLI in Release first)
#   Without CELLS_DIR: 3,000 cells, the committed sample repeated under different names (as the cluster test does).
#   SILOS: the silo counts to run, default "1 2 3" ("1" for the pair predict vs one silo).
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(realpath "$1") cells=${2:-} rounds=${3:-1} shard=${4:-500} silo_counts=${5:-1 2 3}
dll=$PWD/src/MalariaML.Cli/bin/Release/net10.0/malaria.dll
command -v redis-server >/dev/null || { echo "error: redis-server is needed (bash scripts/install-redis.sh)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ -z "$cells" ]; then
  cells=$work/cells
  python3 - "$cells" <<'PY'
import pathlib, shutil, sys
sample = sorted(pathlib.Path("data/sample/cell_images").rglob("*.png"), key=str)
for i in range(3000):
    source, r = sample[i % len(sample)], i // len(sample)
    target = pathlib.Path(sys.argv[1], f"copy{r:02d}", source.parent.name, f"{source.stem}_r{r:02d}.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
PY
fi
cells=$(realpath "$cells")
n=$(find -L "$cells" -type f \( -name '*.png' -o -name '*.jpg' \) | wc -l)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no > "$work/redis.log" 2>&1 &
pids+=($!)
sleep 1
clock() { date +%s.%N; }
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }   # utime + stime, in clock ticks
timed_cpu() { awk '{ print $1 + $2 }' "$work/time"; }                    # user + system seconds of /usr/bin/time
row() { awk -v r="$1" -v w="$2" -v n="$n" -v s="$3" -v t="$4" -v same="$5" -v cpu="$6" 'BEGIN { printf "| %d | %s | %d | %.1f | %.1f | %.1f | %.1f | %s |\n", r, w, n, t - s, n / (t - s), cpu, 1000 * cpu / n, same }'; }
echo "cells: $n in $cells; model $(basename "$model") (sha256 $(sha256sum "$model" | cut -c1-12)); shard size $shard; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| round | what | cells | seconds | cells/s | CPU s | CPU ms/cell | output |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"
for r in $(seq "$rounds"); do
  start=$(clock)
  /usr/bin/time -f "%U %S" -o "$work/time" dotnet "$dll" predict --model "$model" "$cells" --out "$work/predict.csv" --summary "$work/patients.csv" > /dev/null 2>&1
  row "$r" "malaria predict (one process)" "$start" "$(clock)" "reference" "$(timed_cpu)"
  for silos in $silo_counts; do
    id=bench-$r-$silos
    silo_pids=()
    for s in $(seq "$silos"); do
      dotnet "$dll" cluster silo --redis "127.0.0.1:$rport" --cluster-id "$id" --model "$model" \
        --port "$(free_port)" --gateway-port "$(free_port)" > "$work/$id-$s.log" 2>&1 &
      silo_pids+=($!)
      pids+=($!)
    done
    for s in $(seq "$silos"); do
      until grep -qs ' ready: ' "$work/$id-$s.log"; do sleep 0.5; done
    done
    before=0; for p in "${silo_pids[@]}"; do before=$((before + $(ticks "$p"))); done
    start=$(clock)
    /usr/bin/time -f "%U %S" -o "$work/time" dotnet "$dll" cluster run --redis "127.0.0.1:$rport" --cluster-id "$id" --model "$model" --shard-size "$shard" \
      --out "$work/$id" "$cells" > /dev/null 2>&1
    end=$(clock)
    after=0; for p in "${silo_pids[@]}"; do after=$((after + $(ticks "$p"))); done
    cpu=$(awk -v a="$after" -v b="$before" -v c="$(timed_cpu)" -v hz="$(getconf CLK_TCK)" 'BEGIN { print (a - b) / hz + c }')
    same=$(cmp -s "$work/predict.csv" "$work/$id/predictions.csv" && cmp -s "$work/patients.csv" "$work/$id/patients.csv" && echo "same bytes as predict" || echo "DIFFERENT")
    shards=$(for s in $(seq "$silos"); do printf '%s ' "$(grep -c ' done (' "$work/$id-$s.log" || true)"; done)
    row "$r" "cluster, $silos silo(s) (shards per silo: ${shards% })" "$start" "$end" "$same" "$cpu"
    for p in "${silo_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  done
done
