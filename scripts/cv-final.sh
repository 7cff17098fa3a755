#!/usr/bin/env bash
# The final configurations of issue 13 on all five folds of the 5-fold cross-validation by patient (same folds as
# scripts/cv-basic-cnn.sh: seed 42): resnet18-finetune (lr 1e-4) and basic-cnn, both with colour augmentation and stain
# normalisation, 64 px, 3 epochs; then their ensemble per fold (malaria cv-ensemble: the patient rule refitted for the
# ensemble on each fold's validation patients). About 10 and 6 minutes a fold on an idle 2-core machine.
# Resumable: rerun the script and finished folds are skipped, an interrupted fold resumes from its checkpoint. Runs a
# copy of the CLI (artifacts/cv-bin) so rebuilding the tree does not disturb it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/cv-common.sh
common=(--data "$DATA" --folds 5 --seed 42 --epochs "$EPOCHS" --image-size "$SIZE" --device cpu --color-aug --stain-norm)
resnet="$OUT/resnet18-finetune-lr4-color-stain-$SIZE"
basic="$OUT/basic-cnn-color-stain-$SIZE"
malaria cv "${common[@]}" --model resnet18-finetune --lr 1e-4 --out "$resnet"
malaria cv "${common[@]}" --model basic-cnn --out "$basic"
malaria cv-ensemble --data "$DATA" --folds 5 --out "$OUT/ensemble-resnet18-basic-cnn-$SIZE" "$resnet" "$basic"
