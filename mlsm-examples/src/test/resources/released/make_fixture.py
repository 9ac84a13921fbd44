"""Writes released-vk/: a released-style MLSM checkpoint made by Hugging Face's own code, not by this library.

A DebertaForMaskedLM with vocab_size = V + k (V = 300 word pieces of the test tokenizer trained on the bundled
Alice corpus, k = 12 latent concepts appended to the vocabulary, as the released MLSM checkpoints do), random
weights with a wide spread, written the way a Hugging Face checkpoint is:
  - config.json by DebertaConfig.to_json_file (Hugging Face's writer: no key of this library),
  - model.safetensors: the model's state_dict under Hugging Face's names, tied decoder weight included,
  - io.safetensors: input_ids, attention_mask and the model's logits [B, T, V + k] and last hidden states, eval mode.
The safetensors package is not installable on the machines this was made on, so the few lines below write the
format (8-byte little-endian header length, JSON header, raw little-endian bytes) directly from the torch tensors.

Run with the peers' environment (../shared/peers/README.md):  /usr/bin/python3 make_fixture.py
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("HF_SRC", os.path.join(HERE, "../../../../../../shared/peers/hf-src")))
import torch  # noqa: E402
from transformers import DebertaConfig, DebertaForMaskedLM  # noqa: E402

V, K = 300, 12
PAD, CLS, SEP = 3, 0, 1


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        raw = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def main():
    out = os.path.join(HERE, "released-vk")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20261207)
    cfg = DebertaConfig(vocab_size=V + K, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, relative_attention=True,
                        pos_att_type=["c2p", "p2c"], position_biased_input=False, max_relative_positions=-1,
                        type_vocab_size=0, pad_token_id=PAD, layer_norm_eps=1e-7)
    model = DebertaForMaskedLM(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.15 * torch.randn_like(p))
    model.eval()
    cfg.to_json_file(os.path.join(out, "config.json"))
    write_safetensors(os.path.join(out, "model.safetensors"), dict(model.state_dict()))

    ids = torch.randint(5, V, (2, 12))
    ids[:, 0] = CLS
    ids[0, -1] = SEP
    ids[1, 8] = SEP
    ids[1, 9:] = PAD
    mask = (ids != PAD).long()
    with torch.no_grad():
        o = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    write_safetensors(os.path.join(out, "io.safetensors"),
                      {"input_ids": ids, "attention_mask": mask, "logits": o.logits,
                       "hidden_states_last": o.hidden_states[-1]})
    print("wrote", out, "vocab_size", cfg.vocab_size, "logits", tuple(o.logits.shape))


if __name__ == "__main__":
    main()
