#!/usr/bin/env bash
# Training images/s of several builds of the `malaria` CLI on the same cells, in one run. The builds take turns, forward
# then backward (A B C, C B A, A B C, ...), so that a machine that speeds up or slows down during the run favours none;
# on a shared VM single runs still scatter by 10-30%, so use ROUNDS >= 4 before reading a difference of that size.
# Reads each run's history (epoch seconds, which include that epoch's validation) and prints training images per second.
#
#   [ROUNDS=4] scripts/train-throughput.sh OUT_DIR DATA_DIR NAME=CLI_DLL NAME=CLI_DLL [...] [-- MODEL...]
#   e.g. ROUNDS=4 scripts/train-throughput.sh artifacts/throughput artifacts/data-1k \
#        before=artifacts/before/malaria.dll now=src/MalariaML.Cli/bin/Release/net10.0/malaria.dll -- resnet18-finetune
#
# Each run: --by cell --ratios 0.9,0.1,0 --epochs 2 --patience 0 --seed 42, default image size and batch. Writes
# OUT_DIR/runs.csv (model,build,order,epoch,train_cells,seconds,images_per_s) and the logs. Models default to
# basic-cnn and resnet18-finetune.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: [ROUNDS=N] $0 OUT_DIR DATA_DIR NAME=CLI_DLL NAME=CLI_DLL [...] [-- MODEL...]" >&2; exit 2; }
[[ $# -ge 4 ]] || usage
out=$1; data=$2; shift 2
names=(); clis=()
while [[ $# -gt 0 && $1 != -- ]]; do
  [[ $1 == *=* ]] || usage
  names+=("${1%%=*}"); clis+=("${1#*=}"); shift
done
[[ ${#names[@]} -ge 2 ]] || usage
[[ $# -gt 0 ]] && shift
models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(basic-cnn resnet18-finetune)
rounds=${ROUNDS:-2}
mkdir -p "$out"
echo "model,build,order,epoch,train_cells,seconds,images_per_s" >"$out/runs.csv"
for model in "${models[@]}"; do
  order=0
  for ((round = 0; round < rounds; round++)); do
    turn=("${!names[@]}")
    (( round % 2 == 1 )) && turn=($(printf '%s\n' "${turn[@]}" | tac))
    for i in "${turn[@]}"; do
      order=$((order + 1))
      build=${names[$i]}; cli=${clis[$i]}
      prefix="$out/$model-$order-$build"
      rm -f "$prefix".malaria*
      echo "== $model, build $build ($cli), run $order"
      dotnet "$cli" train --data "$data" --model "$model" --by cell --ratios 0.9,0.1,0 --epochs 2 --patience 0 --seed 42 \
        --out "$prefix.malaria" >"$prefix.log" 2>&1
      cells=$(grep -oE 'on [0-9]+ cells' "$prefix.log" | head -1 | grep -oE '[0-9]+')
      awk -F, -v m="$model" -v b="$build" -v o="$order" -v n="$cells" \
        'NR > 1 { printf "%s,%s,%d,%d,%d,%.1f,%.2f\n", m, b, o, $1, n, $NF, n / $NF }' \
        "$prefix.malaria.history.csv" | tee -a "$out/runs.csv"
      rm -f "$prefix.malaria" "$prefix.malaria.checkpoint"   # the history is what is read; models are 45-130 MB each
    done
  done
done
echo
echo "images/s per model and build: mean over runs and epochs, and the median of the per-run means:"
awk -F, 'NR > 1 { k = $1 "," $2; s[k] += $7; c[k]++; r[k "," $3] += $7; rc[k "," $3]++ }
  END {
    for (k in s) printf "mean,%s,%.2f\n", k, s[k] / c[k]
    for (kr in r) { split(kr, p, ","); printf "run,%s,%s,%.4f\n", p[1], p[2], r[kr] / rc[kr] }
  }' "$out/runs.csv" | awk -F, '
  $1 == "mean" { mean[$2 "," $3] = $4; next }
  { k = $2 "," $3; v[k, ++n[k]] = $4 }
  END {
    for (k in mean) {
      m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      med = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
      printf "%s,%s,%.2f,%.2f,%d\n", substr(k, 1, index(k, ",") - 1), substr(k, index(k, ",") + 1), mean[k], med, m
    }
  }' | sort | (echo "model,build,mean,median_of_runs,runs"; cat) | column -s, -t
