#!/usr/bin/env bash
# Training images/s of two builds of the `malaria` CLI on the same cells, in one run: A B B A per model, so that a
# machine that speeds up or slows down during the run favours neither. Reads each run's history (epoch seconds, which
# include that epoch's validation) and prints a table of training images per second.
#
#   scripts/train-throughput.sh OUT_DIR DATA_DIR CLI_A CLI_B [MODEL...]
#   e.g. scripts/train-throughput.sh artifacts/throughput artifacts/data-2k \
#        artifacts/before/malaria.dll src/MalariaML.Cli/bin/Release/net10.0/malaria.dll basic-cnn resnet18-finetune
#
# Each run: --by cell --ratios 0.9,0.1,0 --epochs 2 --patience 0 --seed 42, default image size and batch. Writes
# OUT_DIR/runs.csv (model,build,order,epoch,train_cells,seconds,images_per_s) and the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 4 ]] || { echo "usage: $0 OUT_DIR DATA_DIR CLI_A CLI_B [MODEL...]" >&2; exit 2; }
out=$1; data=$2; cli_a=$3; cli_b=$4; shift 4
models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(basic-cnn resnet18-finetune)
mkdir -p "$out"
echo "model,build,order,epoch,train_cells,seconds,images_per_s" >"$out/runs.csv"
for model in "${models[@]}"; do
  order=0
  for build in A B B A; do
    order=$((order + 1))
    cli=$cli_a; [[ $build == B ]] && cli=$cli_b
    prefix="$out/$model-$order-$build"
    rm -f "$prefix".malaria*
    echo "== $model, build $build ($cli), run $order"
    dotnet "$cli" train --data "$data" --model "$model" --by cell --ratios 0.9,0.1,0 --epochs 2 --patience 0 --seed 42 \
      --out "$prefix.malaria" >"$prefix.log" 2>&1
    cells=$(grep -oE 'on [0-9]+ cells' "$prefix.log" | head -1 | grep -oE '[0-9]+')
    awk -F, -v m="$model" -v b="$build" -v o="$order" -v n="$cells" \
      'NR > 1 { printf "%s,%s,%d,%d,%d,%.1f,%.2f\n", m, b, o, $1, n, $NF, n / $NF }' \
      "$prefix.malaria.history.csv" | tee -a "$out/runs.csv"
  done
done
echo
echo "images/s per model and build (mean over both runs and both epochs):"
awk -F, 'NR > 1 { s[$1 "," $2] += $7; c[$1 "," $2]++ } END { for (k in s) printf "%s,%.2f\n", k, s[k] / c[k] }' \
  "$out/runs.csv" | sort | column -s, -t
