#!/usr/bin/python3
"""Inference peer for DebertaPeerBenchmark: the Hugging Face DeBERTa encoder (v1, c2p|p2c, the same shapes as
../shared/peers/deberta_train_ref.py) run under torch.no_grad() with all hidden states returned, as the teacher
pass that computes concept targets would run in Python.

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/deberta_infer_ref.py --preset small   # 4 x 256, 32 x 128
Prints the pass times, the median tokens/s and torch's sgemm rate (1024^3) in the training peer's line format.
"""
import argparse
import os
import statistics
import sys
import time

import torch

here = os.path.dirname(os.path.abspath(__file__))
hf_src = os.environ.get("HF_SRC", os.path.join(here, "..", "..", "shared", "peers", "hf-src"))
sys.path.insert(0, hf_src)
sys.path.insert(0, os.path.dirname(os.path.abspath(hf_src)))   # ../shared/peers: the training peer's GEMM probe
from transformers import DebertaConfig, DebertaModel  # noqa: E402
from deberta_train_ref import gemm_gflops  # noqa: E402

PRESETS = {
    "base": dict(layers=12, hidden=768, heads=12, inter=3072, batch=8),
    "small": dict(layers=4, hidden=256, heads=4, inter=1024, batch=32),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--preset", choices=list(PRESETS), default="small")
    p.add_argument("--batch", type=int, default=0, help="0 = the preset's batch")
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--vocab", type=int, default=25000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=12)
    args = p.parse_args()
    c = PRESETS[args.preset]
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cfg = DebertaConfig(vocab_size=args.vocab, hidden_size=c["hidden"], num_hidden_layers=c["layers"],
                        num_attention_heads=c["heads"], intermediate_size=c["inter"], max_position_embeddings=512,
                        relative_attention=True, pos_att_type="c2p|p2c", position_biased_input=False,
                        max_relative_positions=-1, layer_norm_eps=1e-7, type_vocab_size=0, hidden_act="gelu")
    model = DebertaModel(cfg)
    model.eval()
    B, T = args.batch or c["batch"], args.seq
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(5, args.vocab, (B, T), generator=g)
    mask = torch.ones(B, T, dtype=torch.long)

    def step():
        with torch.no_grad():
            out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        return out.last_hidden_state

    for _ in range(args.warmup):
        step()
    ts = []
    for _ in range(args.steps):
        t = time.perf_counter(); step(); ts.append(time.perf_counter() - t)
    med = statistics.median(ts)
    print(f"torch {torch.__version__} threads {torch.get_num_threads()} preset {args.preset} inference batch {B}x{T}")
    print("pass times (s): " + " ".join(f"{t:.3f}" for t in ts))
    print(f"median step {med:.3f}s -> {1/med:.3f} steps/s, {B * T / med:.1f} tokens/s")
    gm, gb = gemm_gflops()
    print(f"GEMM 1024^3 fp32: median {gm:.1f} GFLOP/s, best {gb:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
