import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testWebGPUBackend } from '@proj/tensor/testing';
import { loadCheckpoint } from '@proj/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tinyBase } from '../testing/run-cli.js';

/**
 * `proj finetune`, `proj reward-model` and `proj dpo` with `--device webgpu` (the machine's GPU, or
 * Mesa's lavapipe on a CPU-only one): a few steps of a tiny model give the losses and metrics of the
 * same run with `--device cpu`. GPU reductions add in another order and WGSL's exp/log are not
 * correctly rounded, so they agree to float32 accuracy (1e-4 relative over four steps), far below
 * what a wrong gradient or update moves them.
 */
const gpu = await testWebGPUBackend('proj --device webgpu');

let dir: string;
let base: string;
const words = ['cab', 'dab', 'bad', 'add', 'bed', 'fed', 'ace', 'dee'];

beforeAll(async () => {
  if (!gpu) return;
  dir = await mkdtemp(join(tmpdir(), 'proj-device-'));
  base = await tinyBase(dir, words, '--max-iters 4');
  const lines = (row: (i: number) => object) =>
    `${Array.from({ length: 24 }, (_, i) => JSON.stringify(row(i))).join('\n')}\n`;
  await writeFile(
    join(dir, 'sft.jsonl'),
    lines((i) => ({ prompt: `${words[i % 8]} `, completion: `${words[(i + 1) % 8]}.` })),
  );
  await writeFile(
    join(dir, 'pairs.jsonl'),
    lines((i) => ({
      prompt: `${words[i % 8]} `,
      chosen: `${words[(i + 1) % 8]} aaa.`,
      rejected: `${words[(i + 2) % 8]} bbb.`,
    })),
  );
});
afterAll(() => dir && rm(dir, { recursive: true, force: true }));

const LOOP =
  '--max-iters 4 --eval-interval 2 --eval-iters 1 --batch-size 4 --warmup-iters 1 --lr-decay-iters 4 --lr 1e-3';

/** Each command line (but `--out` and `--device`). */
const RUNS: Record<string, () => string> = {
  'finetune, every weight': () =>
    `finetune --from ${base} --data ${join(dir, 'sft.jsonl')} --samples 1 --max-new-tokens 3`,
  'finetune, LoRA with dropout': () =>
    `finetune --from ${base} --data ${join(dir, 'sft.jsonl')} --samples 1 --max-new-tokens 3 --lora-r 2 --lora-dropout 0.1`,
  'reward-model': () => `reward-model --from ${base} --data ${join(dir, 'pairs.jsonl')}`,
  'dpo, LoRA, precomputed reference': () =>
    `dpo --from ${base} --data ${join(dir, 'pairs.jsonl')} --lora-r 2 --precompute-ref-log-probs`,
};

/** Runs `proj <command line> --device <device>` into a fresh folder; resolves with its checkpointed history. */
async function history(name: string, device: 'cpu' | 'webgpu') {
  const out = join(dir, `${name.replace(/\W+/g, '-')}-${device}`);
  const extra = device === 'cpu' ? '--threads 1' : '';
  const r = await runCli(
    `${RUNS[name]!()} ${LOOP} --out ${out} --device ${device} ${extra}`.split(' ').filter(Boolean),
  );
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  if (device === 'webgpu') expect(r.out).toMatch(/, webgpu \(/);
  return (await loadCheckpoint(out)).state.history;
}

const close = (a: number, b: number, what: string) =>
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(b)));

describe.runIf(gpu).each(Object.keys(RUNS))('proj %s --device webgpu', (name) => {
  it('trains on the GPU to the losses and metrics of --device cpu', async () => {
    const cpu = await history(name, 'cpu');
    const webgpu = await history(name, 'webgpu');
    expect(webgpu.steps).toHaveLength(4);
    webgpu.steps.forEach(([, loss], i) => close(loss, cpu.steps[i]![1], `step ${i} loss`));
    webgpu.evals.forEach(([, train, val], i) => {
      close(train, cpu.evals[i]![1], `eval ${i} train loss`);
      if (val !== null) close(val, cpu.evals[i]![2]!, `eval ${i} val loss`);
    });
    // …and not all bit for bit: the GPU computed them (weights left in host memory would run the
    // CPU's kernels and give exactly its numbers)
    const numbers = (h: typeof cpu) => [...h.steps.flat(), ...h.evals.flat()];
    expect(numbers(webgpu)).not.toEqual(numbers(cpu));
    webgpu.stepMetrics?.forEach(([, metrics], i) => {
      for (const [metric, value] of Object.entries(metrics))
        close(value, cpu.stepMetrics![i]![1][metric]!, `step ${i} ${metric}`);
    });
  });
});
