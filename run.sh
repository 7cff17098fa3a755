#!/usr/bin/env bash
# The main job on the embedded sample of real NIH cells (or on DIR if given):
# summary of the data, then a patient-disjoint 60:10:30 split written to artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
data="${1:-data/sample/cell_images}"
mkdir -p artifacts
dotnet build src/MalariaML.Cli -c Release --nologo -v quiet --no-restore
malaria() { dotnet src/MalariaML.Cli/bin/Release/net10.0/malaria.dll "$@"; }
malaria data summary "$data" --json artifacts/summary.json
malaria data split "$data" --by patient --ratios 0.6,0.1,0.3 --seed 42 --out artifacts/split.json
