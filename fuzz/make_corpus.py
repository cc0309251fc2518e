#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the committed fixtures (stdlib only).

    python3 fuzz/make_corpus.py        # from the repository root; rewrites fuzz/corpus/*/seed-*

Deterministic: the same fixtures give byte-identical seeds. Seeds are small (< 300 KB in all).
"""
import hashlib
import pathlib
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures"
OUT = ROOT / "fuzz" / "corpus"
SEP = b"\n#@tsrun-record:"

# Small archives that cover traced/scripted modules, control flow, literals and lists.
SEED_ARCHIVES = sorted((FIX / "seed").glob("*.pt")) + sorted((FIX / "lang").glob("*.pt"))[:40]


def write(target, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    (d / name).write_bytes(data)


def main():
    for target in ("archive", "pickle", "parser", "load_run"):
        for old in (OUT / target).glob("seed-*") if (OUT / target).exists() else []:
            old.unlink()
    for i, pt in enumerate(SEED_ARCHIVES):
        raw = pt.read_bytes()
        if i < 10:
            write("archive", raw)
        with zipfile.ZipFile(pt) as z:
            records = []
            for info in z.infolist():
                body = z.read(info)
                rel = info.filename.split("/", 1)[1]
                if rel in ("data.pkl", "constants.pkl"):
                    write("pickle", body)
                elif rel.startswith("code/") and rel.endswith(".py"):
                    write("parser", body)
                if rel.endswith(".debug_pkl"):
                    continue  # not read by tsrun; keeps the load_run seeds small
                records.append(SEP + info.filename.encode() + b"\n" + body)
            write("load_run", b"".join(records))


if __name__ == "__main__":
    main()
