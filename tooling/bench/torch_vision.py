"""The LeNet-5 CNN of `pnpm bench vision` (and apps/vision) in PyTorch (a peer, not a fixture): the same layers, a
training step at batch 64 (forward, cross-entropy, backward, AdamW) and inference at batch 256
under no_grad, each the median of 30 after 5 warm-up runs.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 tooling/bench/torch_vision.py --threads 1

Prints one JSON object on the last line: {"trainMs": ..., "inferMs": ...}.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def median_ms(step, warmup=5, runs=30):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = lenet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    images = torch.rand(64, 1, 28, 28)
    labels = torch.randint(0, 10, (64,))

    def train():
        optimizer.zero_grad()
        F.cross_entropy(model(images), labels).backward()
        optimizer.step()

    batch = torch.rand(256, 1, 28, 28)

    def infer():
        with torch.no_grad():
            model(batch)

    train_ms = median_ms(train)
    model.eval()
    print(json.dumps({'trainMs': train_ms, 'inferMs': median_ms(infer)}))


if __name__ == '__main__':
    main()
