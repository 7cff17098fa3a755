#!/usr/bin/env bash
# The benchmark suite (see benchmarks/README.md): every benchmark with the default job of BenchConfig (short run: 3 warm-up and
# 3 measured iterations, in-process), Markdown reports and derived.md written to benchmarks/results/.
# Run it on an otherwise idle machine; about 20 minutes on 2 cores. Extra arguments go to BenchmarkDotNet
# (e.g. --filter '*Inference*').
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--filter '*')
dotnet run -c Release --project benchmarks/MalariaML.Benchmarks -- "${args[@]}"
