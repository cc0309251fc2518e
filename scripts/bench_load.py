"""Load time only: tsrun's `Module::load` against `torch.jit.load` on scripts/bench_models.py's archives.

    .venv/bin/python scripts/bench_load.py [--rounds R] [--binary PATH] [--no-build] [NAME...]

Rounds alternate a `tsrun MODEL --input X.npy --bench 1 --threads 1` process (its JSON report's
`load_ms`: `Module::load` timed in-process, in a fresh process every round) with a
`torch.jit.load` in this process, so machine noise hits both alike. Archives are generated when
missing, as scripts/bench_models.py does. `--binary` compares another build (e.g. a copy of the
binary from before a change) in the same run: its column is printed next to the default one.
Prints a markdown table of medians and each round's times.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_mlp import ROOT, tsrun_bench  # noqa: E402
from bench_models import ensure, workloads  # noqa: E402


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":  # deterministic scripting, as gen_zoo.py does
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", help="workloads to load (default: all)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--binary", action="append", default=[],
                    help="another tsrun binary to time in the same rounds (repeatable)")
    ap.add_argument("--no-build", action="store_true", help="use the existing target/release/tsrun")
    a = ap.parse_args()
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "tsrun-cli"], cwd=ROOT, check=True)
    binaries = [os.path.join(ROOT, "target/release/tsrun")] + a.binary
    all_w = workloads()
    names = a.names or list(all_w)
    unknown = [n for n in names if n not in all_w]
    if unknown:
        sys.exit(f"unknown workloads {unknown}; known: {list(all_w)}")
    torch.set_num_threads(1)
    rows = []
    for name in names:
        directory, _, spec = all_w[name]
        _, case = ensure(name, directory, spec)
        ts = [[] for _ in binaries]
        pt = []
        for _ in range(a.rounds):
            for i, b in enumerate(binaries):
                ts[i].append(tsrun_bench(b, case["model"], case["inputs"], 1)[0]["load_ms"])
            t0 = time.perf_counter()
            torch.jit.load(case["model"])
            pt.append((time.perf_counter() - t0) * 1e3)
        rows.append((name, [statistics.median(t) for t in ts], statistics.median(pt), ts, pt))
        print(f"{name}: done", file=sys.stderr, flush=True)

    load1, load5, _ = os.getloadavg()
    print(f"torch {torch.__version__}, {a.rounds} rounds, medians in ms; load average at the end "
          f"{load1:.1f} (1 min) / {load5:.1f} (5 min) on {os.cpu_count()} CPUs")
    print()
    heads = ["tsrun"] + [f"`{os.path.relpath(b, ROOT)}`" for b in a.binary]
    print("| model | " + " | ".join(f"{h} load ms" for h in heads) + " | `torch.jit.load` ms | "
          + " | ".join(f"{h} / PyTorch" for h in heads) + " |")
    print("|---|" + "---|" * (2 * len(heads) + 1))
    for name, tms, pm, _, _ in rows:
        print(f"| {name} | " + " | ".join(f"{t:.1f}" for t in tms) + f" | {pm:.1f} | "
              + " | ".join(f"{t / pm:.2f}x" for t in tms) + " |")
    print()
    print("rounds (ms):")
    for name, _, _, ts, pt in rows:
        for h, t in zip(heads, ts):
            print(f"  {name} {h}: {' '.join(f'{v:.1f}' for v in t)}")
        print(f"  {name} torch: {' '.join(f'{v:.1f}' for v in pt)}")


if __name__ == "__main__":
    main()
