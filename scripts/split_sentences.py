#!/usr/bin/env python3
"""Split text whose line breaks were lost into one sentence per line (for the mlsm corpus reader, which builds one
sequence from each line or pair of lines and truncates longer ones).

The BabyLM `train_600k` samples in ../shared/data/babylm_pretrain_samples are single lines of 600,000 words each;
this writes every *.train file of SRC (skipping *_dev.train unless --with-dev) to DST, split after '.', '!' or '?'
followed by whitespace. Standard library only; output files are written to a temporary name and renamed.

    python3 scripts/split_sentences.py ../shared/data/babylm_pretrain_samples/train_600k runs/babylm-corpus
"""
import argparse
import os
import pathlib
import re
import sys
import tempfile


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src", type=pathlib.Path, help="directory of *.train files")
    p.add_argument("dst", type=pathlib.Path, help="output directory (created)")
    p.add_argument("--with-dev", action="store_true", help="also split *_dev.train files")
    a = p.parse_args()
    files = sorted(f for f in a.src.glob("*.train") if a.with_dev or not f.name.endswith("_dev.train"))
    if not files:
        print(f"error: no *.train files in {a.src}", file=sys.stderr)
        return 2
    a.dst.mkdir(parents=True, exist_ok=True)
    total = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
        fd, tmp = tempfile.mkstemp(dir=a.dst, prefix=f.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(sentences) + "\n")
        os.replace(tmp, a.dst / f.name)
        total += len(sentences)
        print(f"{f.name}: {len(sentences)} lines")
    print(f"{total} lines in {len(files)} files -> {a.dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
