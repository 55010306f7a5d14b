"""Greedy decoding with a KV cache in PyTorch, for `pnpm bench inference` (a peer, not a fixture).

The same GPT as @proj/nn's (pre-norm blocks, learned positions, tied head, GELU, N(0, 0.02) random
weights), decoded as a KV-cache implementation does it (Hugging Face's `past_key_values`): the
prompt in one forward that fills preallocated key/value buffers and computes the head for the last
position only (nanoGPT's inference path), then one token per forward. Debian's torch 1.13 has no
fused attention, so attention is written out over the cached keys. Runs under `torch.inference_mode()`.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 tooling/bench/torch_inference.py --shape gpt2 --threads 1

Prints one JSON object on the last line: prefill ms (median), decode ms per token (median over the
steps of each run, then over runs), both in wall time and in CPU time, the weight bytes one decoding step reads, and the BLAS library
loaded (with Debian's reference libblas3 instead of OpenBLAS, torch's products are several times
slower and the comparison is meaningless).
"""
import argparse
import json
import math
import os
import sys
import time

if __name__ == '__main__':
    # OpenBLAS keeps its own thread pool: hold it to the thread count asked for, before torch loads it
    threads = sys.argv[sys.argv.index('--threads') + 1] if '--threads' in sys.argv else '1'
    os.environ.setdefault('OPENBLAS_NUM_THREADS', threads)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

SHAPES = {
    # the default `proj train` GPT on a 98-character vocabulary
    'default': dict(vocab_size=98, block_size=64, n_layer=4, n_head=4, n_embd=128, bias=False, gelu='none'),
    # GPT-2 small: 124M parameters
    'gpt2': dict(vocab_size=50257, block_size=1024, n_layer=12, n_head=12, n_embd=768, bias=True, gelu='tanh'),
}


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, bias = c['n_embd'], c['bias']
        self.heads = c['n_head']
        self.gelu = c['gelu']
        self.ln_1 = nn.LayerNorm(d, elementwise_affine=True)
        self.ln_2 = nn.LayerNorm(d, elementwise_affine=True)
        self.c_attn = nn.Linear(d, 3 * d, bias=bias)
        self.attn_proj = nn.Linear(d, d, bias=bias)
        self.c_fc = nn.Linear(d, 4 * d, bias=bias)
        self.mlp_proj = nn.Linear(4 * d, d, bias=bias)

    def attention(self, x, cache, start):
        b, t, d = x.shape
        hs = d // self.heads
        q, k, v = self.c_attn(x).split(d, dim=2)
        # (b, heads, t, head size)
        q, k, v = (z.view(b, t, self.heads, hs).transpose(1, 2) for z in (q, k, v))
        keys, values = cache
        keys[:, :, start:start + t] = k
        values[:, :, start:start + t] = v
        k, v = keys[:, :, :start + t], values[:, :, :start + t]
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        if t > 1:  # causal within the new positions (a single new query sees every cached key)
            mask = torch.ones(t, start + t, dtype=torch.bool).tril(diagonal=start)
            scores = scores.masked_fill(~mask, float('-inf'))
        y = F.softmax(scores, dim=-1) @ v
        return self.attn_proj(y.transpose(1, 2).reshape(b, t, d))

    def forward(self, x, cache, start):
        x = x + self.attention(self.ln_1(x), cache, start)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate=self.gelu))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.wte = nn.Embedding(c['vocab_size'], c['n_embd'])
        self.wpe = nn.Embedding(c['block_size'], c['n_embd'])
        self.blocks = nn.ModuleList(Block(c) for _ in range(c['n_layer']))
        self.ln_f = nn.LayerNorm(c['n_embd'])
        self.head = nn.Linear(c['n_embd'], c['vocab_size'], bias=False)
        self.head.weight = self.wte.weight
        for p in self.parameters():
            if p.dim() >= 2:
                torch.nn.init.normal_(p, 0.0, 0.02)

    def new_cache(self, batch):
        c = self.c
        shape = (batch, c['n_head'], c['block_size'], c['n_embd'] // c['n_head'])
        return [(torch.zeros(shape), torch.zeros(shape)) for _ in self.blocks]

    def forward(self, idx, cache, start):
        t = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(start, start + t))
        for block, layer_cache in zip(self.blocks, cache):
            x = block(x, layer_cache, start)
        return self.head(self.ln_f(x[:, [-1], :]))  # the last position only


def weight_bytes(model):
    """Bytes one decoding step reads: every parameter once (the tied head counts once), one row of wpe."""
    total = sum(p.numel() for p in model.parameters()) - model.wpe.weight.numel() + model.wpe.weight.size(1)
    return total * 4


def blas_library():
    """The BLAS shared library this process loaded (Debian picks it through update-alternatives)."""
    with open('/proc/self/maps') as maps:
        found = sorted({line.split()[-1] for line in maps if 'blas' in line.split()[-1].lower()})
    return found or None


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--shape', choices=list(SHAPES), default='gpt2')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--prompt', type=int, default=256)
    p.add_argument('--new-tokens', type=int, default=32)
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--warmup', type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    c = SHAPES[args.shape]
    model = GPT(c).eval()
    prompt = torch.randint(c['vocab_size'], (1, args.prompt))
    median = lambda xs: sorted(xs)[len(xs) // 2]
    clocks = {'': time.perf_counter, 'Cpu': time.process_time}  # wall, and CPU of every thread
    results = {f'{what}{kind}Ms': [] for what in ('prefill', 'decode') for kind in clocks}
    with torch.inference_mode():
        for run in range(args.warmup + args.runs):
            cache = model.new_cache(1)
            t0 = {kind: clock() for kind, clock in clocks.items()}
            logits = model(prompt, cache, 0)
            token = logits[:, -1].argmax(-1, keepdim=True)
            prefill = {kind: (clock() - t0[kind]) * 1000 for kind, clock in clocks.items()}
            steps = {kind: [] for kind in clocks}
            for i in range(args.new_tokens):
                t0 = {kind: clock() for kind, clock in clocks.items()}
                logits = model(token, cache, args.prompt + i)
                token = logits[:, -1].argmax(-1, keepdim=True)
                for kind, clock in clocks.items():
                    steps[kind].append((clock() - t0[kind]) * 1000)
            if run >= args.warmup:
                for kind in clocks:
                    results[f'prefill{kind}Ms'].append(prefill[kind])
                    results[f'decode{kind}Ms'].append(median(steps[kind]))
    print(json.dumps({
        'torch': torch.__version__,
        'blas': blas_library(),
        'threads': args.threads,
        'shape': args.shape,
        **{key: median(values) for key, values in results.items()},
        'weightBytes': weight_bytes(model),
    }))


if __name__ == '__main__':
    main()
