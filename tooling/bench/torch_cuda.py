"""PyTorch on the GPU beside @proj's WebGPU backend, for `pnpm bench webgpu` (a peer, not a fixture).

float32 matrix products (cuBLAS with TF32 off: the arithmetic WGSL's f32 does) and training steps
of torch_gpt.py's GPT in eager float32 on CUDA: the default `proj train` shape and a GPT-2-small one.

    /usr/bin/python3 tooling/bench/torch_cuda.py

Prints one JSON object on the last line: {"cuda": false} without a CUDA device.
"""
import json
import time

import torch

from torch_gpt import CONFIG, GPT, optimizer, step

GPT2_SMALL = dict(vocab_size=50257, block_size=1024, n_layer=12, n_head=12, n_embd=768, batch_size=4)


def matmul_tflops(n, reps=20):
    a, b = torch.randn(n, n, device='cuda'), torch.randn(n, n, device='cuda')
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    torch.cuda.synchronize()
    return 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e12


def step_ms(config, warmup=3, iters=10):
    torch.manual_seed(1337)
    model = GPT(config).cuda()
    opt = optimizer(model, 1e-3)
    b, t, v = config['batch_size'], config['block_size'], config['vocab_size']
    x, y = torch.randint(v, (b, t), device='cuda'), torch.randint(v, (b, t), device='cuda')
    for _ in range(warmup):
        step(model, opt, x, y)
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step(model, opt, x, y)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    if not torch.cuda.is_available():
        print(json.dumps({'cuda': False}))
        return
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(json.dumps({
        'cuda': True,
        'device': torch.cuda.get_device_name(0),
        'matmulTflops': {str(n): matmul_tflops(n) for n in (1024, 2048, 4096)},
        'stepMs': {'default': step_ms(CONFIG), 'gpt2Small': step_ms(GPT2_SMALL)},
    }))


if __name__ == '__main__':
    main()
