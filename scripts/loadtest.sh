#!/usr/bin/env bash
# Load test of 'malaria serve' on loopback (see benchmarks/MalariaML.LoadTest/Program.cs): 16 clients, 2,000 requests of
# 16 cells from the committed sample, against 'malaria predict' on the same cells in the same run. Several minutes on
# 2 cores; stops by itself. Writes benchmarks/results/loadtest.md.
#   scripts/loadtest.sh [MODEL.malaria] [REQUESTS] [CLIENTS] [CELLS_PER_REQUEST]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-artifacts/loadtest/basic-cnn.malaria}
dotnet build src/MalariaML.Cli -c Release --nologo -v quiet
dotnet build benchmarks/MalariaML.LoadTest -c Release --nologo -v quiet
cli=src/MalariaML.Cli/bin/Release/net10.0/malaria.dll
if [[ ! -f "$model" ]]; then
  # A real basic-cnn at its 125 px input, trained for 2 epochs on the sample: its speed, not its accuracy, matters here.
  mkdir -p "$(dirname "$model")"
  dotnet "$cli" train --data data/sample/cell_images --model basic-cnn --epochs 2 --seed 42 --out "$model"
fi
dotnet benchmarks/MalariaML.LoadTest/bin/Release/net10.0/MalariaML.LoadTest.dll "$cli" "$model" data/sample/cell_images \
  benchmarks/results/loadtest.md "${2:-2000}" "${3:-16}" "${4:-16}"
