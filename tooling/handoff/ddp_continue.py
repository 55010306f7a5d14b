"""Continue a `proj export` folder with PyTorch DistributedDataParallel, and write it back in the same layout.

The recipe a user runs on a GPU cluster, here on the CPU: every process loads the Hugging Face GPT-2
folder (config.json, model.safetensors, tokenizer.json) into the plain-PyTorch GPT2LMHeadModel of
gpt2_reference.py, wraps it in DDP, draws its own batches, and the gradients are averaged across
processes on every step. The global batch is --batch-size (split over the processes), so a step sees
as many tokens as a `proj train` step with the same --batch-size. AdamW decays the matrices only, as
proj and nanoGPT do; gradients are clipped at 1. A folder holds weights, not optimizer state, so
AdamW starts from zero moments: the learning rate warms up again over --warmup-iters, then follows a
cosine to --min-lr.

The loss at the hand-off is measured before the first step, on fixed evaluation windows (proj's
`TokenDataset.evalBatch`: --eval-iters batches of --batch-size windows spread evenly over the last
10% of the tokens), so it can be compared with proj's loss on the same windows.

Here (Debian's torch 1.13, whose `torchrun` fails on Python 3.11) the script starts its processes
itself with torch.multiprocessing.spawn, on the gloo backend:

    /usr/bin/python3 tooling/handoff/ddp_continue.py --from runs/export --out runs/returned --data corpus.txt

With a current PyTorch, launch the same file with torchrun (it then reads RANK/WORLD_SIZE from the
environment and does not spawn), on GPUs with the NCCL backend:

    torchrun --nproc_per_node 8 tooling/handoff/ddp_continue.py --backend nccl --from ... --out ... --data ...

Prints one JSON line per log step and, last, a JSON summary (also written to <out>/handoff.json).
"""
import argparse
import json
import math
import os
import shutil
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2_reference import CharVocabulary, load_folder, write_atomic, write_safetensors  # noqa: E402

# written after model.safetensors, config.json last: a folder with a config.json is a complete one
COPIED = ["generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--from", dest="source", required=True, help="Hugging Face GPT-2 folder (proj export --out)")
    p.add_argument("--out", required=True, help="folder to write the continued model to")
    p.add_argument("--data", required=True, help="UTF-8 text: the corpus proj trained on")
    p.add_argument("--iters", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=12, help="global batch (split over the processes)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--min-lr", type=float, default=1e-4)
    p.add_argument("--warmup-iters", type=int, default=20)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--beta2", type=float, default=0.99)
    p.add_argument("--eval-iters", type=int, default=20)
    p.add_argument("--log-interval", type=int, default=25)
    p.add_argument("--world-size", type=int, default=2, help="processes to spawn (ignored under torchrun)")
    p.add_argument("--backend", default="gloo")
    p.add_argument("--seed", type=int, default=1337)
    return p.parse_args()


def lr_at(it, a):
    """Linear warmup, then cosine from --lr to --min-lr over the run (nanoGPT's get_lr)."""
    if it < a.warmup_iters:
        return a.lr * (it + 1) / (a.warmup_iters + 1)
    ratio = (it - a.warmup_iters) / max(1, a.iters - a.warmup_iters)
    return a.min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (a.lr - a.min_lr)


def eval_offsets(length, block, count, batch):
    """proj's TokenDataset.evalBatch windows: count·batch offsets spread evenly over [0, length − block)."""
    windows, span = count * batch, length - block
    return [[((i * batch + b) * span) // windows for b in range(batch)] for i in range(count)]


def windows(data, offsets, block, device):
    x = torch.stack([data[i : i + block] for i in offsets])
    y = torch.stack([data[i + 1 : i + 1 + block] for i in offsets])
    return x.to(device), y.to(device)


@torch.no_grad()
def fixed_eval_loss(model, val, block, a, device):
    """Mean cross-entropy over the fixed evaluation windows (the same on every process)."""
    model.eval()
    losses = []
    for offsets in eval_offsets(len(val), block, a.eval_iters, a.batch_size):
        x, y = windows(val, offsets, block, device)
        losses.append(F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item())
    model.train()
    return sum(losses) / len(losses)


def train(rank, world, a):
    if "RANK" not in os.environ:  # spawned here rather than by torchrun
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=os.environ.get("MASTER_PORT", "29517"))
    dist.init_process_group(a.backend, rank=rank, world_size=world)
    torch.set_num_threads(1)
    # NCCL: one GPU per process (torchrun's LOCAL_RANK); gloo: the CPU
    device = torch.device(f"cuda:{os.environ.get('LOCAL_RANK', rank)}" if a.backend == "nccl" else "cpu")
    model, config = load_folder(a.source)
    model.to(device)
    block = config["n_positions"]
    vocab = CharVocabulary(os.path.join(a.source, "tokenizer.json"))
    with open(a.data, encoding="utf-8") as f:
        ids = vocab.encode_corpus(f.read())
    n = int(len(ids) * 0.9)  # proj's split: the first 90% train, the rest validates
    train_ids, val_ids = ids[:n], ids[n:]
    if a.batch_size % world:
        raise SystemExit(f"--batch-size {a.batch_size} must be a multiple of the {world} processes")
    per_rank = a.batch_size // world
    ddp = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=a.lr,
        betas=(0.9, a.beta2),
    )
    generator = torch.Generator().manual_seed(a.seed + rank)  # each process its own batches
    log = lambda record: rank == 0 and print(json.dumps(record), flush=True)  # noqa: E731
    start_val = fixed_eval_loss(model, val_ids, block, a, device)
    log({"iter": 0, "val_loss": start_val})
    steps, started = [], time.time()
    for it in range(a.iters):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(it, a)
        offsets = torch.randint(len(train_ids) - block, (per_rank,), generator=generator)
        x, y = windows(train_ids, offsets, block, device)
        loss = F.cross_entropy(ddp(x).flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # DDP averages the gradients over the processes here
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        mean = loss.detach().clone()
        dist.all_reduce(mean)
        steps.append(mean.item() / world)
        if (it + 1) % a.log_interval == 0 or it == 0:
            log({"iter": it + 1, "train_loss": steps[-1], "lr": lr_at(it, a)})
    end_val = fixed_eval_loss(model, val_ids, block, a, device)
    if rank == 0:
        os.makedirs(a.out, exist_ok=True)
        write_safetensors(os.path.join(a.out, "model.safetensors"), model.hf_state_dict())
        for name in COPIED:
            if os.path.exists(os.path.join(a.source, name)):
                shutil.copyfile(os.path.join(a.source, name), os.path.join(a.out, f"{name}.tmp-copy"))
                os.replace(os.path.join(a.out, f"{name}.tmp-copy"), os.path.join(a.out, name))
        summary = {
            "processes": world,
            "backend": a.backend,
            "torch": torch.__version__,
            "iters": a.iters,
            "global_batch": a.batch_size,
            "val_loss_at_handoff": start_val,
            "first_train_losses": steps[:10],
            "last_train_losses": steps[-10:],
            "val_loss_after": end_val,
            "seconds": time.time() - started,
        }
        write_atomic(os.path.join(a.out, "handoff.json"), json.dumps(summary, indent=1) + "\n")
        print(json.dumps(summary), flush=True)
    dist.barrier()
    dist.destroy_process_group()


def main():
    a = parse_args()
    if "RANK" in os.environ:  # torchrun
        train(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), a)
    else:
        mp.spawn(train, args=(a.world_size, a), nprocs=a.world_size, join=True)


if __name__ == "__main__":
    main()
