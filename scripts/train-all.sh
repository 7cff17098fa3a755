#!/usr/bin/env bash
# Trains the article's three models (and the ML.NET baseline) on one patient-disjoint split of DIR, resumably,
# then prints the comparison table. Usage: scripts/train-all.sh DIR [OUT_DIR] [extra train options...]
# Run it again after an interruption: finished models are kept, an interrupted one resumes from its checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: scripts/train-all.sh DIR [OUT_DIR]}"
out="${2:-artifacts/runs}"
shift $(( $# < 2 ? $# : 2 ))
mkdir -p "$out"
# MALARIA_DLL lets a long run use a copy of the build output, so rebuilding the repo meanwhile cannot touch it.
if [ -z "${MALARIA_DLL:-}" ]; then
  dotnet build src/MalariaML.Cli -c Release --nologo -v quiet
  MALARIA_DLL=src/MalariaML.Cli/bin/Release/net10.0/malaria.dll
fi
malaria() { dotnet "$MALARIA_DLL" "$@"; }
[ -f "$out/split.json" ] || malaria data split "$data" --by patient --ratios 0.6,0.1,0.3 --seed 42 --out "$out/split.json"
models="${MODELS:-basic-cnn resnet18-frozen resnet18-finetune resnet18-mlnet}"
for m in $models; do
  if [ -f "$out/$m.malaria" ]; then echo "$m: already trained"; continue; fi
  extra=()
  var="ARGS_${m//-/_}"; [ -n "${!var:-}" ] && read -r -a extra <<<"${!var}"
  malaria train --data "$data" --model "$m" --split "$out/split.json" --seed 42 --resume --out "$out/$m.malaria" "${extra[@]}" "$@"
done
files=(); for m in $models; do [ -f "$out/$m.malaria" ] && files+=("$out/$m.malaria"); done
malaria compare "${files[@]}" --data "$data" --split "$out/split.json" --part test --markdown "$out/comparison.md"
