"""PyTorch's float32 matmul, for `pnpm bench matmul` (a peer, not a fixture).

Reads the products to time as JSON on stdin: a list of {"m", "k", "n", "batch", "ta", "tb"}, where
`ta`/`tb` mean the operand is stored transposed and multiplied as a view (as the bench does for ours).
Each product is timed like ours: rounds of about 60 ms alternate one thread and two, the medians of
each round are kept, and the result is the median over rounds (so load from other processes that
comes and goes hits both sides alike).

    echo '[{"m":256,"k":256,"n":256}]' | OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 tooling/bench/torch_matmul.py

Prints one JSON object on the last line: {"one": [GFLOP/s], "two": [GFLOP/s], "ratio": [two/one]}.
"""
import json
import statistics
import sys
import time

import torch

ROUNDS = 7


def median_seconds(call, budget=0.06):
    """Median seconds per call over about `budget` seconds of repetitions (3 to 200)."""
    call()
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-7)
    samples = []
    for _ in range(max(3, min(200, round(budget / once)))):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def operands(m, k, n, batch, ta, tb):
    lead = [] if batch == 1 else [batch]
    a = torch.rand(*lead, *((k, m) if ta else (m, k))) * 2 - 1
    b = torch.rand(*lead, *((n, k) if tb else (k, n))) * 2 - 1
    return (a.transpose(-2, -1) if ta else a), (b.transpose(-2, -1) if tb else b)


def main():
    torch.manual_seed(0)
    result = {"one": [], "two": [], "ratio": []}
    for shape in json.load(sys.stdin):
        batch = shape.get("batch", 1)
        a, b = operands(shape["m"], shape["k"], shape["n"], batch, shape.get("ta", False), shape.get("tb", False))
        flops = 2 * batch * shape["m"] * shape["k"] * shape["n"]
        one, two = [], []
        for _ in range(ROUNDS):
            torch.set_num_threads(1)
            one.append(median_seconds(lambda: torch.matmul(a, b)))
            torch.set_num_threads(2)
            two.append(median_seconds(lambda: torch.matmul(a, b)))
        result["one"].append(flops / statistics.median(one) / 1e9)
        result["two"].append(flops / statistics.median(two) / 1e9)
        result["ratio"].append(statistics.median(o / t for o, t in zip(one, two)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
