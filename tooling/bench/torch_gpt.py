"""The default `proj train` GPT in PyTorch, for `pnpm bench training` (a peer, not a fixture).

Same architecture and training step as @proj/nn's GPT and @proj/train's loop (pre-norm blocks,
learned positions, tied head, bias-free LayerNorm/Linear, exact GELU, AdamW with decay on matrices
only, gradient clipping at 1, nanoGPT's cosine schedule). Debian's torch 1.13 has no fused
attention, so attention is written out (nanoGPT's "slow" path).

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 tooling/bench/torch_gpt.py speed --threads 1
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 tooling/bench/torch_gpt.py shakespeare --data ../shared/data/tinyshakespeare.txt

Prints one JSON object on the last line.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

CONFIG = dict(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128, batch_size=12)


class Norm(nn.Module):
    """LayerNorm with a gain and no bias (torch 1.13's nn.LayerNorm cannot drop only the bias)."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['n_embd']
        self.heads = c['n_head']
        self.ln_1, self.ln_2 = Norm(d), Norm(d)
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.attn_out = nn.Linear(d, d, bias=False)
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.mlp_out = nn.Linear(4 * d, d, bias=False)
        t = c['block_size']
        self.register_buffer('mask', torch.tril(torch.ones(t, t, dtype=torch.bool)).view(1, 1, t, t))

    def attention(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        # (b, heads, t, head size)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
        scores = scores.masked_fill(~self.mask[:, :, :t, :t], float('-inf'))
        y = F.softmax(scores, dim=-1) @ v
        return self.attn_out(y.transpose(1, 2).contiguous().view(b, t, d))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp_out(F.gelu(self.fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c['vocab_size'], c['n_embd'])
        self.wpe = nn.Embedding(c['block_size'], c['n_embd'])
        self.blocks = nn.ModuleList(Block(c) for _ in range(c['n_layer']))
        self.ln_f = Norm(c['n_embd'])
        self.head = nn.Linear(c['n_embd'], c['vocab_size'], bias=False)
        self.head.weight = self.wte.weight
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * c['n_layer']) if name.endswith('_out.weight') else 0.02
                torch.nn.init.normal_(p, 0.0, std)

    def forward(self, idx, targets):
        t = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(t, device=idx.device))
        for block in self.blocks:
            x = block(x)
        logits = self.head(self.ln_f(x))
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def optimizer(model, lr):
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{'params': [p for p in params if p.dim() >= 2], 'weight_decay': 0.1},
              {'params': [p for p in params if p.dim() < 2], 'weight_decay': 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.99))


def step(model, opt, x, y):
    _, loss = model(x, y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.item()


def speed(args):
    torch.manual_seed(1337)
    model = GPT(CONFIG)
    opt = optimizer(model, 1e-3)
    b, t, v = CONFIG['batch_size'], CONFIG['block_size'], CONFIG['vocab_size']
    batches = [(torch.randint(v, (b, t)), torch.randint(v, (b, t))) for _ in range(8)]
    for i in range(args.warmup):
        step(model, opt, *batches[i % 8])
    times = []
    for i in range(args.iters):
        t0 = time.perf_counter()
        step(model, opt, *batches[i % 8])
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    ms = times[len(times) // 2]
    return {'msPerIter': ms, 'tokensPerSec': b * t / ms * 1000}


def shakespeare(args):
    """nanoGPT's Shakespeare-char CPU run: 2000 iterations, eval over 20 batches per split at the end."""
    text = open(args.data, encoding='utf-8').read()
    chars = sorted(set(text))
    data = torch.tensor([chars.index(ch) for ch in text], dtype=torch.long)
    n = int(len(data) * 0.9)
    splits = {'train': data[:n], 'val': data[n:]}
    torch.manual_seed(args.seed)
    model = GPT(dict(CONFIG, vocab_size=len(chars)))
    opt = optimizer(model, 1e-3)
    b, t = CONFIG['batch_size'], CONFIG['block_size']

    def batch(split):
        d = splits[split]
        ix = torch.randint(len(d) - t, (b,))
        return torch.stack([d[i:i + t] for i in ix]), torch.stack([d[i + 1:i + 1 + t] for i in ix])

    def lr_at(it, lr=1e-3, min_lr=1e-4, warmup=100, decay=2000):
        if it < warmup:
            return lr * (it + 1) / (warmup + 1)
        if it > decay:
            return min_lr
        return min_lr + 0.5 * (1.0 + math.cos(math.pi * (it - warmup) / (decay - warmup))) * (lr - min_lr)

    start = time.perf_counter()
    for it in range(args.max_iters):
        for g in opt.param_groups:
            g['lr'] = lr_at(it)
        step(model, opt, *batch('train'))
    wall = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        losses = {s: sum(model(*batch(s))[1].item() for _ in range(20)) / 20 for s in ('train', 'val')}
        # a steadier estimate: 200 batches (nanoGPT's default eval_iters)
        val200 = sum(model(*batch('val'))[1].item() for _ in range(200)) / 200
    return {'seed': args.seed, 'iters': args.max_iters, 'trainLoss': losses['train'], 'valLoss': losses['val'],
            'valLoss200': val200, 'wallSeconds': wall, 'msPerIter': wall / args.max_iters * 1000}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['speed', 'shakespeare'])
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--iters', type=int, default=30)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--data', default='../shared/data/tinyshakespeare.txt')
    p.add_argument('--max-iters', type=int, default=2000)
    p.add_argument('--seed', type=int, default=1337)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    result = speed(args) if args.mode == 'speed' else shakespeare(args)
    print(json.dumps({'torch': torch.__version__, 'threads': args.threads, **result}))


if __name__ == '__main__':
    main()
