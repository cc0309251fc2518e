"""Side-by-side per-call time of one archive in tsrun and in PyTorch, in one run.

    .venv/bin/python scripts/bench_mlp.py [MODEL.pt] [INPUT.npy] [--calls N] [--rounds R]

Defaults: the seed MLP (fixtures/seed/mlp_traced.pt) on its bare [2] input. PyTorch runs
`torch.jit.load` under `torch.inference_mode()` with `torch.set_num_threads(1)`; tsrun runs
`tsrun MODEL --input INPUT --bench N --threads 1` (release build). Both time batches of calls
(see crates/tsrun-cli/src/bench.rs) and report the median per-call time; rounds alternate
between the two so machine noise hits both alike. Prints a table and the ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATCH_SECONDS = 50e-6


def torch_round(module, x, calls):
    """Median per-call time in µs of `module(x)` (`x` a tensor or a tuple of arguments)."""
    args = x if isinstance(x, tuple) else (x,)
    with torch.inference_mode():
        warm = max(1, min(1000, calls // 10))
        t = time.perf_counter()
        for _ in range(warm):
            module(*args)
        per = (time.perf_counter() - t) / warm
        batch = max(1, min(calls, int(BATCH_SECONDS / max(per, 1e-9))))
        samples, done = [], 0
        while done < calls:
            n = min(batch, calls - done)
            t = time.perf_counter()
            for _ in range(n):
                module(*args)
            samples.append((time.perf_counter() - t) * 1e6 / n)
            done += n
    return statistics.median(samples)


def tsrun_bench(binary, model, inputs, calls, threads=1):
    """One `tsrun --bench` process: its JSON report and its peak RSS in bytes.

    The RSS comes from GNU time (`/usr/bin/time -f %M`), which forks tsrun from its own small
    process: a child forked straight from this Python process (with torch loaded) would report
    Python's RSS as its own peak."""
    args = [binary, model]
    for inp in [inputs] if isinstance(inputs, str) else inputs:
        args += ["--input", inp]
    args += ["--bench", str(calls), "--threads", str(threads), "--quiet"]
    with tempfile.NamedTemporaryFile("r") as rss:
        res = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + args,
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {res.stderr.strip()}")
        peak_kib = int(rss.read().split()[-1])
    return json.loads(res.stdout.strip().splitlines()[-1])["bench"], peak_kib * 1024


def tsrun_round(binary, model, inp, calls, threads=1):
    return tsrun_bench(binary, model, inp, calls, threads)[0]["median_us"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default=os.path.join(ROOT, "fixtures/seed/mlp_traced.pt"))
    ap.add_argument("input", nargs="?", default=os.path.join(ROOT, "fixtures/seed/mlp_traced_bare.in0.npy"))
    ap.add_argument("--calls", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-build", action="store_true", help="use the existing target/release/tsrun")
    a = ap.parse_args()
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "tsrun-cli"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target/release/tsrun")
    torch.set_num_threads(1)
    module = torch.jit.load(a.model).eval()
    x = torch.from_numpy(np.load(a.input))
    ts, pt = [], []
    for _ in range(a.rounds):
        ts.append(tsrun_round(binary, a.model, a.input, a.calls))
        pt.append(torch_round(module, x, a.calls))
    t, p = statistics.median(ts), statistics.median(pt)
    print(f"torch {torch.__version__}, {a.rounds} rounds x {a.calls} calls, 1 thread")
    print("| model | tsrun median us/call | PyTorch (torch.jit.load, inference_mode) median us/call | PyTorch / tsrun |")
    print("|---|---|---|---|")
    print(f"| {os.path.basename(a.model)} | {t:.3f} | {p:.3f} | {p / t:.1f}x |")
    print("rounds tsrun:", " ".join(f"{v:.3f}" for v in ts))
    print("rounds torch:", " ".join(f"{v:.3f}" for v in pt))


if __name__ == "__main__":
    main()
