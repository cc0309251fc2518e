"""Generator of tests/data/small.pt (the tsrun-archive integration fixture).

Written with torch 2.15.0 (the venv at /work/main/.venv):
    /work/main/.venv/bin/python crates/tsrun-archive/tests/data/make_small.py crates/tsrun-archive/tests/data/small.pt

The module has a Linear (2 -> 3, so a weight of 6 floats and a bias of 3),
a buffer `base` = arange(8.) and a buffer `view` that is a view of `base`
(offset 2, size (2, 2), stride (1, 2)): both tensors share storage key and
must share one StorageRef. `alias` is the very same tensor object as `base`
(memo BINGET). A typed List[int] attribute covers build_intlist.
"""
import os
import sys

os.environ.setdefault("PYTHONHASHSEED", "0")
import torch  # noqa: E402

torch.manual_seed(0)


class Small(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 3)
        base = torch.arange(8.0)
        self.register_buffer("base", base)
        self.register_buffer("view", base[2:6].view(2, 2).t())
        self.alias = base
        self.sizes = [1, 2, 3]

    def forward(self, x):
        return self.lin(x) + self.base[0] + self.view.sum() + self.alias[1] + self.sizes[0]


out = sys.argv[1] if len(sys.argv) > 1 else "small.pt"
m = torch.jit.script(Small())
m.save(out)
print("torch", torch.__version__, "wrote", out)
