#!/usr/bin/env bash
# 5-fold cross-validation by patient of basic-cnn on ../shared/data/cell_images (issue 13), then what colour
# augmentation buys on folds 1 and 2. Resumable: rerun the script and finished folds are skipped, an interrupted fold
# resumes from its checkpoint. Runs a copy of the CLI (artifacts/cv-bin) so rebuilding the tree does not disturb it.
# EPOCHS and SIZE trade accuracy for time on a shared 2-core machine (defaults: 3 epochs at 64 px).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/cv-common.sh
common=(--data "$DATA" --model basic-cnn --folds 5 --seed 42 --epochs "$EPOCHS" --image-size "$SIZE" --device cpu)
malaria cv "${common[@]}" --color-aug --out "$OUT/basic-cnn-color-$SIZE"
malaria cv "${common[@]}" --only-folds 1,2 --out "$OUT/basic-cnn-plain-$SIZE"
# What test-time augmentation buys on fold 1 (8x the scoring time), and the fold-1 report with its reliability diagram.
fold1="$OUT/basic-cnn-color-$SIZE"
malaria evaluate --model "$fold1/fold-1.malaria" --data "$DATA" --split "$fold1/fold-1.split.json" --part Test --tta --json "$OUT/fold-1-color-tta.json"
malaria evaluate --model "$fold1/fold-1.malaria" --data "$DATA" --split "$fold1/fold-1.split.json" --part Test --json "$OUT/fold-1-color-plain.json"
malaria report --model "$fold1/fold-1.malaria" "$OUT/basic-cnn-plain-$SIZE/fold-1.malaria" --data "$DATA" --split "$fold1/fold-1.split.json" --out "$OUT/report-fold-1" --grid 0
