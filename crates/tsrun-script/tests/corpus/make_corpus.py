"""Regenerate the printed-TorchScript parser corpus in this folder.

Pinned to torch 2.15.0 (the repo venv). Run from the repository root:

    PYTHONHASHSEED=0 .venv/bin/python crates/tsrun-script/tests/corpus/make_corpus.py

Each archive's `code/**/*.py` files are copied here, flattened to
`<archive>__<path with / replaced by __>`. PYTHONHASHSEED fixes the order of
`Final` constant lines (printed-code.md §2.1).
"""
import enum
import io
import os
import sys
import zipfile
from typing import Dict, List, NamedTuple, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

assert torch.__version__.startswith("2.15.0"), torch.__version__
if os.environ.get("PYTHONHASHSEED") != "0":
    sys.exit("run with PYTHONHASHSEED=0")
torch.manual_seed(0)

OUT = os.path.dirname(os.path.abspath(__file__))


class Point(NamedTuple):
    x: torch.Tensor
    y: int


class Color(enum.Enum):
    RED = 1
    GREEN = 2


@torch.jit.script
def scripted_helper(x: torch.Tensor, k: int = 2) -> torch.Tensor:
    return x ** k + k


@torch.jit.script
class Accumulator:
    def __init__(self, start: torch.Tensor):
        self.total = start
        self.count = 0

    def add(self, t: torch.Tensor) -> None:
        self.total = self.total + t
        self.count += 1


class ControlFlow(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = 2.5
        self.names: List[str] = ["a", "b"]

    def forward(self, x: torch.Tensor, n: int, y: Optional[torch.Tensor] = None) -> torch.Tensor:
        acc = x
        if n > 100:
            acc = acc * 2
        elif n > 50:
            acc = acc * 3
        else:
            acc = acc + n
        for i in range(n):
            if i == 1:
                continue
            if i > 5:
                break
            acc = acc - i
        j = 0
        while j < 3:
            acc = acc * 1.0000000000000001e-05 + 0.1
            j += 1
        if y is not None:
            acc = acc + y
        sizes: List[int] = []
        for d in x.shape:
            sizes.append(d * 2)
        sizes.insert(0, -1)
        d: Dict[str, int] = {}
        d["k"] = -9223372036854775807 - 1
        t = (1, 2.0, "three")
        a, b, c = t
        assert x.dim() >= 1, "need at least 1-d"
        if x.numel() == 0:
            raise ValueError("empty input")
        with torch.no_grad():
            z = acc * float("inf") - float("-inf")
        s = "q\"uote\" 'single' back\\slash\n\ttab \a\b\v\f ctl\x01\x1b\x7f"
        print("n =", n, s, self.names, d, a, b, c, sizes)
        return acc + self.scale + len(self.names) + z.sum() * 0.0

    @torch.jit.export
    def encode(self, p: Point, color: Color) -> Tuple[torch.Tensor, int]:
        q = Point(p.x + 1, p.y + 1)
        if color == Color.RED:
            v = color.value
        else:
            v = 0
        return q.x * v, q.y

    @torch.jit.export
    def describe(self, xs: List[torch.Tensor]) -> Dict[str, List[int]]:
        out: Dict[str, List[int]] = {}
        for i, x in enumerate(xs):
            out["x{}".format(i)] = [int(s) for s in x.shape]
        return out

    @torch.jit.export
    def use_class(self, x: torch.Tensor) -> torch.Tensor:
        a = Accumulator(x)
        a.add(x)
        fut = torch.jit.fork(scripted_helper, x)
        return a.total + torch.jit.wait(fut) + scripted_helper(x)

    @torch.jit.export
    def misc(self, x: torch.Tensor, u: Optional[List[int]]) -> torch.Tensor:
        y = x.clone()
        y[y < 0] = 0.0
        y[0, 0] = 5.0
        y[:, 0] = x[:, 1]
        z = x[1:-1:2, -1]
        w = x[..., None]
        if u is not None and len(u) > 0:
            y = y * u[0]
        return torch.cat([y.flatten(), z.flatten(), w.flatten()]) @ torch.ones(1) if False else y


class Nets(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)
        self.lstm = nn.LSTM(4, 8, batch_first=True)
        self.enc = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
        self.seq = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
        self.params = nn.ParameterList([nn.Parameter(torch.ones(2)), nn.Parameter(torch.zeros(2))])

    def forward(self, x: torch.Tensor, img: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        h = self.linear(x)
        out, (hn, cn) = self.lstm(h)
        e = self.enc(out)
        s = self.seq(img)
        p = self.params[0] + self.params[1]
        s = F.interpolate(s, scale_factor=2.0, mode="bilinear", align_corners=False)
        return e, s.sum() + p.sum()


class Traced(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return torch.relu(self.fc(x)) * x.size(0)


@torch.jit.interface
class OneArgIface(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pass


class Impl(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + 1


class UsesIface(nn.Module):
    impl: OneArgIface

    def __init__(self):
        super().__init__()
        self.impl = Impl()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.impl(x)


def save(name, m):
    buf = io.BytesIO()
    torch.jit.save(m, buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as z:
        for info in z.infolist():
            parts = info.filename.split("/")
            if "code" not in parts or not info.filename.endswith(".py"):
                continue
            rel = parts[parts.index("code") + 1 :]
            out = os.path.join(OUT, name + "__" + "__".join(rel))
            with open(out, "wb") as f:
                f.write(z.read(info))


def main():
    for f in os.listdir(OUT):
        if f.endswith(".py") and f != os.path.basename(__file__):
            os.remove(os.path.join(OUT, f))
    save("control", torch.jit.script(ControlFlow()))
    save("nets", torch.jit.script(Nets()))
    save("traced", torch.jit.trace(Traced(), torch.randn(2, 3)))
    save("fn", torch.jit.script(scripted_helper))
    save("iface", torch.jit.script(UsesIface()))
    frozen = torch.jit.freeze(torch.jit.script(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()).eval()))
    save("frozen", frozen)


if __name__ == "__main__":
    main()
