#!/usr/bin/python3
"""The Python peer of MalariaML's benchmark: Debian's PyTorch (python3-torch) with the article's OpenCV loader
(python3-opencv) on the same cells as the .NET side, measured in the same run by scripts/bench-peer.sh.

Measures, on the cells of DATA (one sub-folder per class):
  - loading: cv2.imread + cv2.resize to 125x125 (the article's loader), BGR to RGB, scaled to [0, 1];
  - inference: the article's basic CNN (the architecture of src/MalariaML/Models/BasicCnn.cs), batch 64, eval mode;
  - one training epoch: Adam 1e-3, binary cross-entropy on the logit, batch 64, on the first TRAIN_SHARE of the
    shuffled cells (the .NET side trains on a 0.9 cell split of the same folder).
Writes one JSON object (to --out, or stdout)."""
import argparse
import json
import os
import random
import sys
import time

import cv2
import numpy as np
import torch
from torch import nn


class BasicCnn(nn.Module):
    """Three blocks of Conv2d 3x3 (32, 64, 128, same padding) + ReLU + MaxPool 2x2, then Dense 512-512-1 with dropout 0.3."""

    def __init__(self, size=125):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2))
        side = size // 8
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(128 * side * side, 512), nn.ReLU(inplace=True), nn.Dropout(0.3),
            nn.Linear(512, 512), nn.ReLU(inplace=True), nn.Dropout(0.3), nn.Linear(512, 1))

    def forward(self, x):
        return self.head(self.features(x)).squeeze(1)


def files_of(data, classes):
    out = []
    for label, name in enumerate(classes):
        folder = os.path.join(data, name)
        out += [(os.path.join(folder, f), label) for f in sorted(os.listdir(folder)) if f.lower().endswith(".png")]
    return out


def load(paths, size):
    images = np.empty((len(paths), size, size, 3), dtype=np.float32)
    for i, path in enumerate(paths):
        bgr = cv2.imread(path)
        if bgr is None:
            raise SystemExit(f"{path}: not a decodable image")
        images[i] = cv2.cvtColor(cv2.resize(bgr, (size, size)), cv2.COLOR_BGR2RGB) / 255.0
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data")
    parser.add_argument("--classes", default="Parasitized,Uninfected")
    parser.add_argument("--size", type=int, default=125)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--train-share", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    # Debian's libgomp starts with one thread here; use every core, as TorchSharp does.
    torch.set_num_threads(os.cpu_count())
    threads = torch.get_num_threads()
    cells = files_of(args.data, args.classes.split(","))

    start = time.perf_counter()
    images = load([p for p, _ in cells], args.size)
    load_seconds = time.perf_counter() - start
    labels = torch.tensor([float(l == 0) for _, l in cells])  # 1 = the positive (first) class

    model = BasicCnn(args.size)
    model.eval()
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(cells), args.batch):
            torch.sigmoid(model(images[i:i + args.batch]))
    infer_seconds = time.perf_counter() - start

    order = list(range(len(cells)))
    random.shuffle(order)
    train = torch.tensor(order[:int(len(order) * args.train_share)])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    start = time.perf_counter()
    for i in range(0, len(train), args.batch):
        index = train[i:i + args.batch]
        optimizer.zero_grad()
        loss = loss_fn(model(images[index]), labels[index])
        loss.backward()
        optimizer.step()
    train_seconds = time.perf_counter() - start

    result = {
        "peer": f"PyTorch {torch.__version__} (Debian python3-torch), OpenCV {cv2.__version__}, Python {sys.version.split()[0]}",
        "threads": threads,
        "cells": len(cells),
        "load_seconds": round(load_seconds, 2),
        "load_cells_per_second": round(len(cells) / load_seconds, 1),
        "inference_seconds": round(infer_seconds, 2),
        "inference_cells_per_second": round(len(cells) / infer_seconds, 1),
        "load_and_inference_cells_per_second": round(len(cells) / (load_seconds + infer_seconds), 1),
        "train_cells": len(train),
        "train_epoch_seconds": round(train_seconds, 2),
        "train_images_per_second": round(len(train) / train_seconds, 1),
        "final_batch_loss": round(float(loss), 4),
    }
    text = json.dumps(result, indent=2)
    if args.out:
        with open(args.out + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(args.out + ".tmp", args.out)
    print(text)


if __name__ == "__main__":
    main()
