"""Large-model side-by-side benchmark: the same archives in tsrun and in PyTorch, in one run.

    .venv/bin/python scripts/bench_models.py [--rounds R] [--threads 1,2] [--no-build] [NAME...]

Workloads (issue 6; batch 1, float32, eval mode, fixed seeds): resnet18 and mobilenet_v2 at
224x224 (traced, and `torch.jit.freeze`d), a 2-layer LSTM 64->128 over 50 steps (scripted), and a
TransformerEncoder (d_model 256, 4 heads, 4 layers, seq 128; scripted and traced). The CNN
archives are the model zoo's (fixtures/gen_zoo.py, cached in fixtures/.cache/zoo/); the sequence
models are written by the same code into fixtures/.cache/bench/. Missing archives are generated.

For every (model, threads) pair, rounds alternate between tsrun
(`tsrun MODEL --input X.npy --bench N --threads T`, see crates/tsrun-cli/src/bench.rs) and PyTorch
(a fresh `torch.jit.load` per round, timed as the load time, then `torch.inference_mode()` and
`torch.set_num_threads(T)`), so machine noise hits both alike. Before timing, tsrun's output is
checked against PyTorch's (the case's expected .npz). Prints markdown tables: per-call medians and
their ratio; load times; tsrun's peak RSS (GNU time's maximum resident set of the --bench
process, load included) next to the size of the archive's tensor storages.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures"))
import gen_zoo  # noqa: E402  (fixtures/gen_zoo.py: model builders and save_case)
from bench_mlp import ROOT, torch_round, tsrun_bench  # noqa: E402

BENCH_DIR = os.path.join(ROOT, "fixtures", ".cache", "bench")
ZOO_DIR = gen_zoo.OUT


class Encoder(nn.Module):
    """nn.TransformerEncoder as ../shared/bench/make_mid_models.py builds it (dim_feedforward 2048)."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=256, nhead=4, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, num_layers=4, enable_nested_tensor=False)

    def forward(self, x):
        return self.enc(x)


def seq_input(*shape):
    def make(_batch):
        g = torch.Generator().manual_seed(1)
        return (torch.randn(*shape, generator=g),)

    return make


def workloads():
    """name -> (directory, calls per round, zoo-style spec or None when the zoo already has it)."""
    tol = dict(atol=1e-4, rtol=1e-3)
    lstm = (lambda: gen_zoo.LSTMNoState(input_size=64, hidden_size=128, num_layers=2, batch_first=True),
            "scripted", seq_input(1, 50, 64), [1], tol)
    zoo = gen_zoo.models()
    return {
        "resnet18_traced": (ZOO_DIR, 30, zoo["resnet18_traced"]),
        "resnet18_frozen": (ZOO_DIR, 30, zoo["resnet18_frozen"]),
        "mobilenet_v2_traced": (ZOO_DIR, 50, zoo["mobilenet_v2_traced"]),
        "mobilenet_v2_frozen": (ZOO_DIR, 50, zoo["mobilenet_v2_frozen"]),
        "lstm_2x128_seq50_scripted": (BENCH_DIR, 300, lstm),
        "transformer_d256_scripted": (BENCH_DIR, 50, (Encoder, "scripted", seq_input(1, 128, 256), [1], tol)),
        "transformer_d256_traced": (BENCH_DIR, 50, (Encoder, "traced", seq_input(1, 128, 256), [1], tol)),
    }


def ensure(name, directory, spec):
    """The batch-1 case of NAME (generated with gen_zoo.save_case when missing)."""
    os.makedirs(directory, exist_ok=True)
    status = gen_zoo.save_case(name, *spec, out=directory)
    cases = json.load(open(os.path.join(directory, name + ".case.json")))
    if isinstance(cases, dict):
        sys.exit(f"{name}: {cases['skipped']}")
    case = next(c for c in cases if c["name"].endswith(".b1"))
    path = lambda p: os.path.join(directory, p)  # noqa: E731
    return status, dict(case, model=path(case["model"]), inputs=[path(p) for p in case["inputs"]],
                        expected=path(case["expected"]))


def check(binary, case):
    """Runs tsrun once and compares its output leaves with PyTorch's; returns the max abs diff."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.npz")
        args = [binary, case["model"], "--quiet", "--output", out]
        for inp in case["inputs"]:
            args += ["--input", inp]
        subprocess.run(args, check=True)
        got, want = np.load(out), np.load(case["expected"])
        worst = 0.0
        for k in want.files:
            a, b = got[k], want[k]
            if a.shape != b.shape or not np.allclose(a, b, atol=case["atol"], rtol=case["rtol"]):
                sys.exit(f"{case['name']}: tsrun's output {k} differs from PyTorch's")
            worst = max(worst, float(np.max(np.abs(a - b))) if a.size else 0.0)
        return worst


def weights_bytes(archive):
    """Bytes of the tensor storages in the archive: `data/` records (parameters and buffers)
    plus `constants/` (where a frozen module keeps its folded weights)."""
    with zipfile.ZipFile(archive) as z:
        return sum(i.file_size for i in z.infolist() if i.filename.split("/")[1:2] in (["data"], ["constants"])
                   and i.filename.count("/") >= 2)


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":  # deterministic scripting, as gen_zoo.py does
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", help="workloads to run (default: all)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--calls-scale", type=float, default=1.0, help="multiplies every workload's calls per round")
    ap.add_argument("--no-build", action="store_true", help="use the existing target/release/tsrun")
    a = ap.parse_args()
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "tsrun-cli"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target/release/tsrun")
    threads = [int(t) for t in a.threads.split(",")]
    all_w = workloads()
    names = a.names or list(all_w)
    unknown = [n for n in names if n not in all_w]
    if unknown:
        sys.exit(f"unknown workloads {unknown}; known: {list(all_w)}")

    speed, loads, mem = [], [], []
    for name in names:
        directory, calls, spec = all_w[name]
        calls = max(30, int(calls * a.calls_scale))
        status, case = ensure(name, directory, spec)
        diff = check(binary, case)
        print(f"{name}: archive {status}, tsrun matches PyTorch (max abs diff {diff:.2e}); "
              f"{a.rounds} rounds x {calls} calls", file=sys.stderr, flush=True)
        x = tuple(torch.from_numpy(np.load(p)) for p in case["inputs"])
        ts_load, pt_load, rss = [], [], []
        for t in threads:
            ts, pt = [], []
            torch.set_num_threads(t)
            for _ in range(a.rounds):
                rep, peak = tsrun_bench(binary, case["model"], case["inputs"], calls, t)
                ts.append(rep["median_us"] / 1e3)
                ts_load.append(rep["load_ms"])
                rss.append(peak)
                t0 = time.perf_counter()
                module = torch.jit.load(case["model"]).eval()
                pt_load.append((time.perf_counter() - t0) * 1e3)
                pt.append(torch_round(module, x, calls) / 1e3)
            tm, pm = statistics.median(ts), statistics.median(pt)
            speed.append((name, t, tm, pm, ts, pt))
            print(f"  threads {t}: tsrun {tm:.2f} ms, PyTorch {pm:.2f} ms", file=sys.stderr, flush=True)
        wb = weights_bytes(case["model"])
        loads.append((name, statistics.median(ts_load), statistics.median(pt_load)))
        mem.append((name, max(rss), wb))

    load1, load5, _ = os.getloadavg()
    print(f"torch {torch.__version__}, {a.rounds} rounds per row, batch 1, float32; medians "
          f"(ms per call: median over rounds of each round's median); load average at the end "
          f"{load1:.1f} (1 min) / {load5:.1f} (5 min) on {os.cpu_count()} CPUs")
    print()
    print("| model | threads | tsrun ms | PyTorch ms | tsrun / PyTorch |")
    print("|---|---|---|---|---|")
    for name, t, tm, pm, _, _ in speed:
        print(f"| {name} | {t} | {tm:.2f} | {pm:.2f} | {tm / pm:.2f}x |")
    print()
    print("| model | tsrun load ms | `torch.jit.load` ms | tsrun / PyTorch |")
    print("|---|---|---|---|")
    for name, tl, pl in loads:
        print(f"| {name} | {tl:.1f} | {pl:.1f} | {tl / pl:.2f}x |")
    print()
    print("| model | tsrun peak RSS MB | weights MB | RSS / weights |")
    print("|---|---|---|---|")
    for name, peak, wb in mem:
        print(f"| {name} | {peak / 2**20:.1f} | {wb / 2**20:.1f} | {peak / wb:.2f}x |")
    print()
    print("rounds (ms):")
    for name, t, _, _, ts, pt in speed:
        print(f"  {name} t{t} tsrun: {' '.join(f'{v:.2f}' for v in ts)}")
        print(f"  {name} t{t} torch: {' '.join(f'{v:.2f}' for v in pt)}")


if __name__ == "__main__":
    main()
