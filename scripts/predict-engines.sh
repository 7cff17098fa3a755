#!/usr/bin/env bash
# `malaria predict` with each scoring engine on the same cells, engines alternating round by round so that a drifting
# load on a shared machine hits both alike. Cells/s include process start, model load (and, for ONNX Runtime, the
# export in memory), decoding and writing the CSV: what a user sees.
# Usage: scripts/predict-engines.sh MODEL.malaria CELLS_DIR [ROUNDS]   (build the CLI in Release first)
set -euo pipefail
cd "$(dirname "$0")/.."
model=$1 cells=$2 rounds=${3:-2}
dll=src/MalariaML.Cli/bin/Release/net10.0/malaria.dll
n=$(find -L "$cells" -type f \( -name '*.png' -o -name '*.jpg' \) | wc -l)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| round | engine | cells | seconds | cells/s |"
echo "| ---: | --- | ---: | ---: | ---: |"
for r in $(seq "$rounds"); do
  for engine in torchsharp onnxruntime; do
    start=$(date +%s.%N)
    dotnet "$dll" predict --model "$model" "$cells" --engine "$engine" --out "$out/$engine.csv" > /dev/null
    end=$(date +%s.%N)
    awk -v r="$r" -v e="$engine" -v n="$n" -v s="$start" -v t="$end" 'BEGIN { printf "| %d | %s | %d | %.1f | %.0f |\n", r, e, n, t - s, n / (t - s) }'
  done
done
# Both engines must agree on every cell (within 1e-4), or the comparison is void.
paste -d, <(cut -d, -f4 "$out/torchsharp.csv" | tail -n +2) <(cut -d, -f4 "$out/onnxruntime.csv" | tail -n +2) |
  awk -F, '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d } END { printf "\nmax |probability difference| between the engines: %.1e\n", m }'
