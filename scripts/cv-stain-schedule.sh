#!/usr/bin/env bash
# What stain normalisation and the warm-up + cosine schedule buy (issue 13), on folds 1 and 2 of the 5-fold
# cross-validation by patient, in the configuration of scripts/cv-basic-cnn.sh's rows (basic-cnn, 64 px, 3 epochs,
# colour augmentation, seed 42), so the numbers compare with the README's table. The two runs go side by side (each
# fold ~20-40 minutes on the shared 2-core machine). Resumable: rerun and finished folds are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/cv-common.sh
common=(--data "$DATA" --model basic-cnn --folds 5 --seed 42 --epochs "$EPOCHS" --image-size "$SIZE" --device cpu --color-aug --only-folds 1,2)
mkdir -p "$OUT"
malaria cv "${common[@]}" --stain-norm --out "$OUT/basic-cnn-color-stain-$SIZE" > "$OUT/color-stain-$SIZE.log" 2>&1 &
stain=$!
malaria cv "${common[@]}" --schedule cosine --out "$OUT/basic-cnn-color-cosine-$SIZE" > "$OUT/color-cosine-$SIZE.log" 2>&1 &
cosine=$!
wait "$stain"
wait "$cosine"
