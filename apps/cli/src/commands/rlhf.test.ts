import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '@proj/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tinyBase, tinyTrain } from '../testing/run-cli.js';

let dir: string;
let base: string;
const words = ['cab', 'dab', 'bad', 'add', 'bed', 'fed', 'ace', 'dee'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proj-rlhf-'));
  base = await tinyBase(dir, words);
  const pairs = Array.from({ length: 30 }, (_, i) =>
    JSON.stringify({
      prompt: `${words[i % 8]} `,
      chosen: `${words[(i + 1) % 8]} aaa.`,
      rejected: `${words[(i + 2) % 8]} bbb.`,
    }),
  );
  await writeFile(join(dir, 'pairs.jsonl'), `${pairs.join('\n')}\n`);
  const prompts = Array.from({ length: 20 }, (_, i) => JSON.stringify({ prompt: `${words[i % 8]} ` }));
  await writeFile(join(dir, 'prompts.jsonl'), `${prompts.join('\n')}\n`);
  // the stand-in for raters: how many a's a completion has
  await writeFile(
    join(dir, 'count-a.mjs'),
    "export default (completions) => completions.map((c) => [...c.completion].filter((ch) => ch === 'a').length);\n",
  );
  await writeFile(
    join(dir, 'nan.mjs'),
    'export const reward = (completions) => completions.map(() => Number.NaN);\n',
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const LOOP = '--max-iters 4 --eval-interval 2 --eval-iters 1 --batch-size 4 --threads 1';
const run = (command: string, extra: string) =>
  runCli([command, ...`${LOOP} ${extra}`.split(' ').filter(Boolean)]);

describe('proj reward-model and proj dpo', () => {
  it('trains a reward model: checkpoint, metrics, accuracy chart, exact resume', async () => {
    const out = join(dir, 'rm');
    const r = await run(
      'reward-model',
      `--from ${base} --data ${join(dir, 'pairs.jsonl')} --out ${out} --lr 1e-3 --always-save-checkpoint`,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/training a reward model from .*: 27 training and 3 validation pairs/);
    expect(r.out).toMatch(/held-out accuracy \d+\.\d%/);
    const files = await readdir(out);
    for (const f of ['checkpoint.json', 'metrics.json', 'loss.svg', 'accuracy.svg'])
      expect(files).toContain(f);
    const half = await runCli([
      'reward-model',
      ...`--max-iters 2 --eval-interval 2 --eval-iters 1 --batch-size 4 --threads 1 --from ${base} --data ${join(dir, 'pairs.jsonl')} --out ${join(dir, 'rm-half')} --lr 1e-3 --always-save-checkpoint`.split(
        ' ',
      ),
    ]);
    expect(half.code).toBe(0);
    const resumed = await run(
      'reward-model',
      `--data ${join(dir, 'pairs.jsonl')} --out ${join(dir, 'rm-half')} --lr 1e-3 --always-save-checkpoint --resume`,
    );
    expect(resumed.out).toMatch(/^resuming .* at iter 2/);
    const [a, b] = await Promise.all([loadCheckpoint(out), loadCheckpoint(join(dir, 'rm-half'))]);
    expect(b.state.history).toEqual(a.state.history);
    expect((await runCli(['sample', '--from', out])).err).toMatch(/holds a reward model .* --reward-model/);
  });

  it('runs DPO against a frozen copy, disabled LoRA adapters, and precomputed log-probabilities', async () => {
    for (const extra of ['', '--lora-r 2 --lr 1e-2', '--precompute-ref-log-probs']) {
      const out = join(dir, `dpo-${extra.length}`);
      const r = await run('dpo', `--from ${base} --data ${join(dir, 'pairs.jsonl')} --out ${out} ${extra}`);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
      expect(metrics).toMatchObject({ iters: 4, beta: 0.1, lossType: 'sigmoid' });
      const state = (await loadCheckpoint(out)).state;
      expect(state.history.stepMetrics![0]![1]['rewards/margins']).toBe(0); // the policy starts as the reference
    }
  });

  it('names a bad pair by file and line', async () => {
    const cases: [string, RegExp][] = [
      ['{"prompt": "a", "chosen": "b"}\n', /bad\.jsonl:1: "rejected" is missing/],
      [
        '{"prompt": "a", "chosen": "b", "rejected": "c"}\n{"prompt": "a", "chosen": "bad", "rejected": "bad"}\n',
        /bad\.jsonl:2: "chosen" and "rejected" are identical/,
      ],
    ];
    for (const [text, message] of cases) {
      await writeFile(join(dir, 'bad.jsonl'), text);
      const r = await run(
        'dpo',
        `--from ${base} --data ${join(dir, 'bad.jsonl')} --out ${join(dir, 'never')} --val-fraction 0`,
      );
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      await expect(readdir(join(dir, 'never'))).rejects.toThrow(/ENOENT/);
    }
  });
});

describe('proj ppo and proj grpo', () => {
  const prompts = () => `--prompts ${join(dir, 'prompts.jsonl')} --max-new-tokens 4 --samples 2`;

  it('runs PPO against a reward module: KL 0 at the start, samples before and after, exact resume, sample from the run', async () => {
    const out = join(dir, 'ppo');
    const r = await run(
      'ppo',
      `--from ${base} ${prompts()} --reward ${join(dir, 'count-a.mjs')} --out ${out} --lr 1e-3 --always-save-checkpoint`,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--- before ---\n".*" → ".*"\n--- after ---/);
    const files = await readdir(out);
    for (const f of ['metrics.json', 'loss.svg', 'reward.svg', 'kl.svg', 'samples.txt'])
      expect(files).toContain(f);
    const state = (await loadCheckpoint(out)).state;
    expect(state.history.stepMetrics![0]![1]['objective/kl']).toBe(0);
    expect(state.config.head).toBe('value');
    const cut = join(dir, 'ppo-cut');
    const first = await runCli([
      'ppo',
      ...`--max-iters 2 --eval-interval 2 --eval-iters 1 --batch-size 4 --threads 1 --from ${base} ${prompts()} --reward ${join(dir, 'count-a.mjs')} --out ${cut} --lr 1e-3 --always-save-checkpoint`.split(
        ' ',
      ),
    ]);
    expect(first.code).toBe(0);
    const resumed = await run(
      'ppo',
      `${prompts()} --reward ${join(dir, 'count-a.mjs')} --out ${cut} --lr 1e-3 --always-save-checkpoint --resume`,
    );
    expect(resumed.err).toBe('');
    expect((await loadCheckpoint(cut)).state.history).toEqual(state.history);
    const sampled = await runCli(['sample', '--from', out, '--prompt', 'cab ', '--max-new-tokens', '4']);
    expect(sampled.code).toBe(0);
  });

  it('runs PPO with LoRA against a trained reward model, and GRPO (dapo, and grpo with a KL penalty)', async () => {
    const viaModel = await run(
      'ppo',
      `--from ${base} ${prompts()} --reward-model ${join(dir, 'rm')} --out ${join(dir, 'ppo-rm')} --lora-r 2`,
    );
    expect(viaModel.err).toBe('');
    expect(viaModel.code).toBe(0);
    for (const extra of ['', '--loss-type grpo --beta 0.04']) {
      const out = join(dir, `grpo-${extra.length}`);
      const g = await run(
        'grpo',
        `--from ${base} ${prompts()} --reward ${join(dir, 'count-a.mjs')} --out ${out} --num-generations 4 --lr 1e-3 ${extra}`,
      );
      expect(g.err).toBe('');
      expect(g.code).toBe(0);
      const state = (await loadCheckpoint(out)).state;
      expect(state.history.stepMetrics![0]![1]).toHaveProperty('reward');
    }
  });

  it('names a reward function that returns NaN, and refuses a reward model of another tokenizer', async () => {
    const nan = await run(
      'ppo',
      `--from ${base} ${prompts()} --reward ${join(dir, 'nan.mjs')} --out ${join(dir, 'nan')}`,
    );
    expect(nan.code).toBe(1);
    expect(nan.err).toMatch(/^proj ppo: the reward function returned NaN for completion 0 \(prompt "/);
    const other = join(dir, 'other');
    await writeFile(join(dir, 'other.txt'), 'xyz xyz qrs.\n'.repeat(200));
    expect(
      (await runCli(tinyTrain(join(dir, 'other.txt'), join(dir, 'other-base'), '--threads 1'))).code,
    ).toBe(0);
    await writeFile(
      join(dir, 'other.jsonl'),
      '{"prompt": "xyz ", "chosen": "xyz.", "rejected": "qrs."}\n'.repeat(10),
    );
    const rm = await run(
      'reward-model',
      `--from ${join(dir, 'other-base')} --data ${join(dir, 'other.jsonl')} --out ${other}`,
    );
    expect(rm.code).toBe(0);
    const r = await run(
      'grpo',
      `--from ${base} ${prompts()} --reward-model ${other} --out ${join(dir, 'never')}`,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--reward-model .*other has another tokenizer than the policy/);
    const accum = await run(
      'ppo',
      `--from ${base} ${prompts()} --reward ${join(dir, 'nan.mjs')} --grad-accum 2 --out ${join(dir, 'never')}`,
    );
    expect(accum.code).toBe(2);
    expect(accum.err).toMatch(/--grad-accum is not used by PPO and GRPO/);
  });

  it('refuses --device webgpu for PPO and GRPO, whose rollouts are sampled on the CPU', async () => {
    for (const command of ['ppo', 'grpo']) {
      const r = await run(
        command,
        `--from ${base} ${prompts()} --reward ${join(dir, 'count-a.mjs')} --device webgpu --out ${join(dir, 'never')}`,
      );
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        new RegExp(
          `^proj ${command}: --device webgpu: proj ${command} runs on the CPU only \\(rollouts are sampled token by token`,
        ),
      );
    }
  });
});
