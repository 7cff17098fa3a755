#!/usr/bin/env bash
# Builds a data set of N cells out of symbolic links to ../shared/data/cell_images, for memory and speed runs at sizes
# the real 14,032 cells do not reach: N/2 links per class, cycling through the class's sorted files; the k-th repeat
# of a file is named NAME_rK.png, so the NIH prefix (and with it the patient key) stays intact.
#   scripts/make-link-set.sh N OUT_DIR        e.g. scripts/make-link-set.sh 100000 artifacts/data-100k
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -eq 2 && $1 =~ ^[0-9]+$ ]] || { echo "usage: $0 N OUT_DIR" >&2; exit 2; }
n=$1; out=$2
src=$(realpath ../shared/data/cell_images)
rm -rf "$out"
for class in Parasitized Uninfected; do
  mkdir -p "$out/$class"
  # Links are made by one awk + xargs pass: 50,000 `ln` processes would take minutes.
  find "$src/$class" -maxdepth 1 -name '*.png' -printf '%f\n' | sort | awk -v want=$((n / 2)) -v s="$src/$class" -v d="$out/$class" '
    { f[NR] = $0 }
    END {
      for (i = 0; i < want; i++) {
        k = int(i / NR); name = f[i % NR + 1]
        target = k == 0 ? name : substr(name, 1, length(name) - 4) "_r" k ".png"
        print s "/" name "\t" d "/" target
      }
    }' | python3 -c '
import os, sys
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    os.symlink(a, b)'
done
echo "$out: $(find "$out" -name '*.png' | wc -l) links"
