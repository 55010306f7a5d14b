"""A Hugging Face GPT-2 folder in plain PyTorch, without `transformers`, `safetensors` or `tokenizers`.

Reads only the folder's files: `config.json` (GPT2Config), `model.safetensors` (parsed by hand) and
the vocabulary of `tokenizer.json`. The model follows transformers' GPT2LMHeadModel
(models/gpt2/modeling_gpt2.py) step by step, with the same parameter names, so its state dict *is*
the folder's `model.safetensors`:
  - Conv1D projections `x @ W + b`, W stored [in, out] (c_attn, c_proj, c_fc);
  - pre-norm blocks: `h = h + attn(ln_1(h))`, `h = h + mlp(ln_2(h))`, LayerNorm eps `layer_norm_epsilon`;
  - attention over `n_head` heads, scores scaled by 1/sqrt(head size), causal mask by `finfo.min`,
    softmax, attention and residual dropout (`attn_pdrop`, `resid_pdrop`), embedding dropout `embd_pdrop`;
  - MLP `c_proj(act(c_fc(x)))` with `activation_function` `gelu` (exact, erf) or `gelu_new` (tanh);
  - `ln_f`, then `lm_head` tied to `wte` (unless `tie_word_embeddings` is false).

As a script it prints, for a prompt, the logits of every prompt position and a greedy continuation,
as one JSON object:

    /usr/bin/python3 tooling/handoff/gpt2_reference.py <folder> --prompt "Fellow-Citizens" --max-new-tokens 200

The greedy loop feeds the last `n_positions` tokens, as nanoGPT and `proj sample` do; within
`n_positions` tokens that is `model.generate(ids, do_sample=False)`.
"""
import argparse
import json
import math
import os
import re
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DTYPES = {"F32": np.float32, "F64": np.float64}
# buffers of older transformers checkpoints (causal mask, masked score), not parameters
BUFFER = re.compile(r"^transformer\.h\.\d+\.attn\.(bias|masked_bias)$")


def read_safetensors(path):
    """Tensors by name from a safetensors file: u64 header length, JSON header, little-endian data."""
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    data = raw[8 + length :]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] not in DTYPES:
            raise ValueError(f"{path}: {name} has dtype {entry['dtype']}; this reader knows {list(DTYPES)}")
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(array.astype(np.float32).reshape(entry["shape"]).copy())
    return out


def write_safetensors(path, tensors):
    """Writes float32 tensors as safetensors (metadata format: pt, as transformers requires), atomically."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        blob = tensors[name].detach().cpu().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    write_atomic(path, struct.pack("<Q", len(text)) + text + b"".join(blobs))


def write_atomic(path, data):
    """Writes a file so readers see the old one or the whole new one (temporary file, fsync, rename)."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class CharVocabulary:
    """The per-character WordLevel tokenizer of a `tokenizer.json` (each character one token, Fuse decoder)."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        model = spec["model"]
        if model["type"] != "WordLevel" or spec["pre_tokenizer"]["type"] != "Split" or spec["decoder"]["type"] != "Fuse":
            raise ValueError(f"{path}: this reader handles the per-character WordLevel tokenizer of proj export")
        self.ids = dict(model["vocab"])
        self.tokens = {i: t for t, i in self.ids.items()}
        for t in spec.get("added_tokens", []):
            self.tokens[t["id"]] = t["content"]
        self.unk = self.ids.get(model.get("unk_token"))

    def encode(self, text):
        ids = [self.ids.get(ch, self.unk) for ch in text]
        if None in ids:
            raise ValueError(f"character {text[ids.index(None)]!r} is not in the vocabulary")
        return ids

    def encode_corpus(self, text):
        """`encode` for a long text, through a code point → id table (seconds for 10M characters)."""
        points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        table = np.full(int(points.max()) + 1, -1, dtype=np.int64)
        for ch, i in self.ids.items():
            if len(ch) == 1 and ord(ch) < len(table):
                table[ord(ch)] = i
        ids = table[points]
        if (ids < 0).any():
            raise ValueError(f"character {chr(points[int(np.argmax(ids < 0))])!r} is not in the vocabulary")
        return torch.from_numpy(ids)

    def decode(self, ids):
        return "".join(self.tokens[i] for i in ids)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACTIVATIONS = {"gelu": F.gelu, "gelu_new": gelu_new}


class Conv1D(nn.Module):
    """transformers' Conv1D: a linear layer whose weight is stored [in, out]."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head, self.n_embd = c["n_head"], c["n_embd"]
        self.c_attn = Conv1D(self.n_embd, 3 * self.n_embd)
        self.c_proj = Conv1D(self.n_embd, self.n_embd)
        self.attn_dropout = nn.Dropout(c["attn_pdrop"])
        self.resid_dropout = nn.Dropout(c["resid_pdrop"])

    def forward(self, x):
        B, T, C = x.shape
        hs = C // self.n_head
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q, k, v = (t.view(B, T, self.n_head, hs).permute(0, 2, 1, 3) for t in (q, k, v))  # (B, nh, T, hs)
        w = (q @ k.transpose(-1, -2)) / torch.full([], v.size(-1) ** 0.5, dtype=q.dtype)
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool, device=x.device))
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype, device=x.device))
        w = self.attn_dropout(torch.softmax(w, dim=-1))
        y = (w @ v).permute(0, 2, 1, 3).contiguous().view(B, T, C)  # (B, T, nh * hs)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        inner = c.get("n_inner") or 4 * c["n_embd"]
        self.c_fc = Conv1D(c["n_embd"], inner)
        self.c_proj = Conv1D(inner, c["n_embd"])
        self.act = ACTIVATIONS[c["activation_function"]]
        self.dropout = nn.Dropout(c["resid_pdrop"])

    def forward(self, x):
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        eps = c["layer_norm_epsilon"]
        self.ln_1 = nn.LayerNorm(c["n_embd"], eps=eps)
        self.attn = Attention(c)
        self.ln_2 = nn.LayerNorm(c["n_embd"], eps=eps)
        self.mlp = MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab_size"], c["n_embd"])
        self.wpe = nn.Embedding(c["n_positions"], c["n_embd"])
        self.drop = nn.Dropout(c["embd_pdrop"])
        self.h = nn.ModuleList(Block(c) for _ in range(c["n_layer"]))
        self.ln_f = nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])


class GPT2LMHeadModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        if c["activation_function"] not in ACTIVATIONS:
            raise ValueError(f"activation_function {c['activation_function']!r}: this reader knows {list(ACTIVATIONS)}")
        self.config = c
        self.transformer = Transformer(c)
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        if c.get("tie_word_embeddings", True):
            self.lm_head.weight = self.transformer.wte.weight

    def forward(self, ids):
        t = self.transformer
        h = t.drop(t.wte(ids) + t.wpe(torch.arange(ids.shape[1], device=ids.device)))
        for block in t.h:
            h = block(h)
        return self.lm_head(t.ln_f(h))

    def hf_state_dict(self):
        """The tensors of `model.safetensors`: GPT2LMHeadModel's keys, `lm_head.weight` only when untied."""
        sd = self.state_dict()
        if self.config.get("tie_word_embeddings", True):
            del sd["lm_head.weight"]
        return sd


def load_folder(folder):
    """The model of a Hugging Face GPT-2 folder (float32) and its config."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    defaults = dict(n_inner=None, activation_function="gelu_new", layer_norm_epsilon=1e-5, tie_word_embeddings=True)
    config = {**defaults, "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, **config}
    model = GPT2LMHeadModel(config)
    weights = read_safetensors(os.path.join(folder, "model.safetensors"))
    weights = {k if k.startswith(("transformer.", "lm_head.")) else f"transformer.{k}": v for k, v in weights.items()}
    weights = {k: v for k, v in weights.items() if not BUFFER.match(k)}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    missing = [k for k in missing if k != "lm_head.weight" or not config["tie_word_embeddings"]]
    if missing or unexpected:
        raise ValueError(f"{folder}: missing {missing}, unexpected {unexpected}")
    return model, config


@torch.no_grad()
def greedy(model, ids, max_new_tokens):
    n_positions = model.config["n_positions"]
    ids = list(ids)
    for _ in range(max_new_tokens):
        context = torch.tensor([ids[-n_positions:]])
        ids.append(int(model(context)[0, -1].argmax()))
    return ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--prompt", required=True)
    parser.add_argument("--max-new-tokens", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model, config = load_folder(args.folder)
    model.eval()
    vocab = CharVocabulary(os.path.join(args.folder, "tokenizer.json"))
    prompt = vocab.encode(args.prompt)[-config["n_positions"] :]
    with torch.no_grad():
        logits32 = model(torch.tensor([prompt]))[0]
        logits64 = model.double()(torch.tensor([prompt]))[0]
    out = greedy(model.float(), prompt, args.max_new_tokens)
    json.dump(
        {
            "torch": torch.__version__,
            "activation_function": config["activation_function"],
            "prompt_ids": prompt,
            "logits_float32": logits32.reshape(-1).tolist(),
            "logits_float64": logits64.reshape(-1).tolist(),
            "greedy_ids": out,
            "greedy_text": vocab.decode(out),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
