#!/usr/bin/env bash
# The main job on the embedded sample of 289 real NIH cells (or on DIR if given): summary of the data, a
# patient-disjoint 60:10:30 split, a small model (frozen ImageNet ResNet18 + dense head) trained on it, its test metrics, per-patient parasitemia and a report with charts.
# Everything goes to artifacts/. On the tiny sample the model is only a demonstration; see README for real results.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
data="${1:-data/sample/cell_images}"
mkdir -p artifacts/demo
dotnet build src/MalariaML.Cli -c Release --nologo -v quiet --no-restore
malaria() { dotnet src/MalariaML.Cli/bin/Release/net10.0/malaria.dll "$@"; }
malaria data summary "$data" --json artifacts/demo/summary.json
malaria data split "$data" --by patient --ratios 0.6,0.1,0.3 --seed 42 --out artifacts/demo/split.json
model="${MODEL:-resnet18-frozen}"
rm -f "artifacts/demo/$model.malaria"*
malaria train --data "$data" --model "$model" --split artifacts/demo/split.json --image-size "${IMAGE_SIZE:-112}" \
  --epochs "${EPOCHS:-15}" --seed 42 --out "artifacts/demo/$model.malaria"
malaria evaluate --model "artifacts/demo/$model.malaria" --data "$data" --split artifacts/demo/split.json --part test \
  --json artifacts/demo/metrics.json
malaria predict --model "artifacts/demo/$model.malaria" "$data" --out artifacts/demo/predictions.csv \
  --summary artifacts/demo/patients.csv
malaria report --model "artifacts/demo/$model.malaria" --data "$data" --split artifacts/demo/split.json --part test \
  --out artifacts/demo/report --grid 24
