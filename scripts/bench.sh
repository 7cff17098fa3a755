#!/usr/bin/env bash
# The benchmark suite (see benchmarks/README.md): every benchmark with the default job of BenchConfig (short run: 3 warm-up and
# 3 measured iterations, in-process), Markdown reports and derived.md written to benchmarks/results/.
# Run it on an otherwise idle machine; about 20 minutes on 2 cores. Extra arguments go to BenchmarkDotNet
# (e.g. --filter '*Inference*'); without any, the Python peer (scripts/bench-peer.sh) runs after the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
args=("$@")
full=0
[ ${#args[@]} -eq 0 ] && args=(--filter '*') && full=1
dotnet run -c Release --project benchmarks/MalariaML.Benchmarks -- "${args[@]}"
# The Python peer (Debian's python3-torch + python3-opencv) on the same cells, when those packages are installed.
if [ "$full" = 1 ]; then
  bash scripts/bench-peer.sh
fi
