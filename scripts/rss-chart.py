#!/usr/bin/env python3
"""Draws RSS-per-epoch curves written by scripts/rss-per-epoch.sh into one PNG, with the project's chart renderer.

    python3 scripts/rss-chart.py OUT.png TITLE NAME=PREFIX [NAME=PREFIX ...]

Left panel: resident memory over time (every sample); right panel, when a run has more than one epoch: resident
memory after each epoch.
Reads PREFIX.samples.csv and PREFIX.epochs.csv; renders with src/MalariaML.Cli/bin/Release/net10.0/plots/MalariaML.Plots.dll.
"""
import csv, json, os, subprocess, sys, tempfile

def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))

def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, title, runs = os.path.abspath(sys.argv[1]), sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
    over_time, per_epoch = [], []
    for i, (name, prefix) in enumerate(runs):
        samples = rows(prefix + ".samples.csv")
        epochs = rows(prefix + ".epochs.csv")
        over_time.append({"name": name, "x": [float(r["seconds"]) for r in samples], "y": [float(r["rss_mib"]) for r in samples],
                          "markers": False, "colorIndex": i})
        per_epoch.append({"name": name, "x": [int(r["epoch"]) for r in epochs], "y": [float(r["rss_mib_after"]) for r in epochs],
                          "markers": True, "colorIndex": i})
    panels = [{"title": "resident memory, sampled every second", "xLabel": "seconds", "yLabel": "RSS (MiB)", "series": over_time}]
    # Runs of one epoch give one point each: a panel of lone dots says nothing the left panel does not.
    if any(len(s["x"]) > 1 for s in per_epoch):
        panels.append({"title": "resident memory after each epoch", "xLabel": "epoch", "yLabel": "RSS (MiB)", "series": per_epoch, "integerX": True})
    spec = {"charts": [{"kind": "lines", "file": os.path.basename(out), "title": title,
                        "width": 1400 if len(panels) > 1 else 1000, "height": 560, "panels": panels}]}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    renderer = os.path.join(root, "src", "MalariaML.Cli", "bin", "Release", "net10.0", "plots", "MalariaML.Plots.dll")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    try:
        subprocess.run(["dotnet", renderer, f.name, os.path.dirname(out)], check=True)
    finally:
        os.unlink(f.name)

if __name__ == "__main__":
    main()
