#!/usr/bin/env bash
# The project against its Python peer on the same cells, in one run: Debian's PyTorch (python3-torch) with the
# article's OpenCV loader (python3-opencv), benchmarks/python/peer.py, against the `malaria` CLI (Release build):
# loading + inference (`malaria predict`, PNG files to CSV, process start included) and one training epoch of
# basic-cnn (`malaria train`, the epoch's seconds from its history). Writes benchmarks/results/peer-python.md.
#
#   scripts/bench-peer.sh [CELLS]     CELLS: how many cells (default 2000, half of each class), taken from
#                                     ../shared/data/cell_images when present, else data/sample/cell_images
#
# Skips with one line when the Python packages are missing (Debian: apt-get install python3-torch python3-opencv).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's interpreter: the packages live in its dist-packages, which another python3 on the PATH may not see.
py=/usr/bin/python3
if ! "$py" -c 'import torch, cv2' 2>/dev/null; then
  echo "peer benchmark skipped: python3-torch and python3-opencv are not installed (apt-get install python3-torch python3-opencv)"
  exit 0
fi
n=${1:-2000}
src=../shared/data/cell_images
[[ -d $src ]] || src=data/sample/cell_images
work=artifacts/bench-peer
rm -rf "$work"
mkdir -p "$work/cells/Parasitized" "$work/cells/Uninfected"
# The same cells for both sides: every k-th file of each class in name order (many patients), linked, not copied.
for c in Parasitized Uninfected; do
  total=$(find "$src/$c" -maxdepth 1 -name '*.png' | wc -l)
  k=$(( total / (n / 2) )); (( k >= 1 )) || k=1
  find "$src/$c" -maxdepth 1 -name '*.png' | sort | awk -v k="$k" 'NR % k == 0' | head -n $((n / 2)) \
    | while read -r f; do ln -s "$(realpath "$f")" "$work/cells/$c/$(basename "$f")"; done
done
cells=$(find "$work/cells" -name '*.png' | wc -l)
cli=src/MalariaML.Cli/bin/Release/net10.0/malaria.dll
[[ -f $cli ]] || dotnet build src/MalariaML.Cli -c Release --nologo -v quiet
load=$(cut -d' ' -f1 /proc/loadavg)
echo "peer benchmark: $cells cells from $src; load average before: $load"

"$py" benchmarks/python/peer.py "$work/cells" --out "$work/python.json"
/usr/bin/time -f '%e %M' -o "$work/train.time" dotnet "$cli" train --data "$work/cells" --model basic-cnn --by cell \
  --ratios 0.9,0.1,0 --epochs 1 --patience 0 --device cpu --out "$work/basic-cnn.malaria" >"$work/train.log" 2>&1
/usr/bin/time -f '%e %M' -o "$work/predict.time" dotnet "$cli" predict --model "$work/basic-cnn.malaria" \
  --out "$work/predictions.csv" "$work/cells" >"$work/predict.log" 2>&1
load_after=$(cut -d' ' -f1 /proc/loadavg)

"$py" - "$work" "$cells" "$src" "$load" "$load_after" <<'PY'
import csv, datetime, json, os, sys
work, cells, src, load, load_after = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
py = json.load(open(os.path.join(work, "python.json")))
history = list(csv.DictReader(open(os.path.join(work, "basic-cnn.malaria.history.csv"))))
epoch = float(history[0]["seconds"])
train_cells = round(cells * 0.9)
predict_s, predict_kb = open(os.path.join(work, "predict.time")).read().split()
train_s, train_kb = open(os.path.join(work, "train.time")).read().split()
predict_rate = cells / float(predict_s)
train_rate = train_cells / epoch
rows = [
    ("load + inference, cells/s", f"{predict_rate:.1f} (`malaria predict`, {cells} PNG files to CSV in {float(predict_s):.1f} s, process start included; peak RSS {int(predict_kb) / 1024:.0f} MiB)",
     f"{py['load_and_inference_cells_per_second']} (load {py['load_seconds']} s + inference {py['inference_seconds']} s, in-process, interpreter start excluded)",
     f"{predict_rate / py['load_and_inference_cells_per_second']:.2f}x"),
    ("loading only, cells/s", "(part of the line above)", f"{py['load_cells_per_second']} (cv2.imread + cv2.resize 125x125)", ""),
    ("inference only, cells/s (basic-cnn, batch 64)", "(part of the line above)", f"{py['inference_cells_per_second']}", ""),
    ("one training epoch, images/s (basic-cnn, batch 64, Adam)", f"{train_rate:.1f} ({train_cells} cells in {epoch:.1f} s; `malaria train` process {float(train_s):.1f} s, peak RSS {int(train_kb) / 1024:.0f} MiB)",
     f"{py['train_images_per_second']} ({py['train_cells']} cells in {py['train_epoch_seconds']} s)", f"{train_rate / py['train_images_per_second']:.2f}x"),
]
md = [f"# MalariaML against Debian's PyTorch + OpenCV (scripts/bench-peer.sh)", "",
      f"{datetime.date.today()}, {cells} cells ({src}), one run, both sides one after the other on the same machine: "
      f"{os.cpu_count()} cores, SHARED with other work (load average {load} before, {load_after} after), so the ratios are rough.",
      f"Peer: {py['peer']}, {py['threads']} threads. Debian's torch uses a generic BLAS; its convolutions use oneDNN.", "",
      "| measure | MalariaML (TorchSharp, CLI) | Python peer | ratio |", "| --- | --- | --- | --- |"]
md += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
md += ["", "The .NET epoch time is the trainer's own (`history.csv`, validation pass on 10% of the cells included); the Python epoch has no validation pass."]
out = "benchmarks/results/peer-python.md"
open(out + ".tmp", "w").write("\n".join(md) + "\n")
os.replace(out + ".tmp", out)
print("\n".join(md))
PY
