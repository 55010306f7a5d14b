import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loraLayers } from '@proj/nn';
import { loadCheckpoint } from '@proj/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelSource } from '../model-source.js';
import { runCli, tinyTrain } from '../testing/run-cli.js';

let dir: string;
let base: string;
const words = ['cat', 'dog', 'bird', 'fish', 'tree', 'lamp', 'rock', 'leaf'];
const reverse = (w: string) => [...w].reverse().join('');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proj-finetune-'));
  const corpus = Array.from(
    { length: 300 },
    (_, i) => `word: ${words[i % 8]} = ${reverse(words[i % 8]!)}.\n`,
  );
  await writeFile(join(dir, 'corpus.txt'), corpus.join(''));
  const lines = Array.from({ length: 40 }, (_, i) => {
    const w = words[(i * 3) % 8]!;
    return JSON.stringify({ prompt: `word: ${w} =`, completion: ` ${reverse(w)}.` });
  });
  await writeFile(join(dir, 'sft.jsonl'), `${lines.join('\n')}\n`);
  base = join(dir, 'base');
  expect((await runCli(tinyTrain(join(dir, 'corpus.txt'), base, '--threads 1'))).code).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const SHORT =
  '--max-iters 8 --eval-interval 4 --eval-iters 2 --warmup-iters 2 --lr-decay-iters 8 --batch-size 4 --threads 1 --samples 1';
const finetune = (extra: string) =>
  runCli([
    'finetune',
    '--from',
    base,
    '--data',
    join(dir, 'sft.jsonl'),
    ...`${SHORT} ${extra}`.split(' ').filter(Boolean),
  ]);

describe('proj finetune', () => {
  it('finetunes every weight, writes the run, and samples it', async () => {
    const out = join(dir, 'full');
    const r = await finetune(`--out ${out}`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/36 training and 4 validation examples .*full finetuning: trainable params: /);
    expect(r.out).toMatch(
      /--- .*sft\.jsonl:37 ---\nprompt: {3}"word: tree ="\nexpected: " eert\."\ngot: {6}".*"/,
    );
    const files = await readdir(out);
    for (const f of ['checkpoint.json', 'metrics.json', 'loss.svg', 'samples.txt'])
      expect(files).toContain(f);
    expect(files).not.toContain('adapter_config.json');
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({
      iters: 8,
      examples: { train: 36, val: 4 },
      lora: null,
      completionOnlyLoss: true,
    });
    const sampled = await runCli([
      'sample',
      '--from',
      out,
      '--prompt',
      'word: cat =',
      '--max-new-tokens',
      '5',
    ]);
    expect(sampled.code).toBe(0);
  });

  it('trains LoRA adapters, writes them in PEFT format, and reads them back from the run, the adapter folder and a merge', async () => {
    const out = join(dir, 'lora');
    const r = await finetune(
      `--out ${out} --lora-r 2 --lora-alpha 4 --target-modules c_attn,c_proj --lr 1e-2`,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/LoRA r=2: trainable params: /);
    const config = JSON.parse(await readFile(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      r: 2,
      lora_alpha: 4,
      target_modules: ['c_attn', 'c_proj'],
      fan_in_fan_out: true,
      base_model_name_or_path: base,
    });

    const adapterDir = join(dir, 'adapter');
    await runCli(['merge', '--from', out, '--out', join(dir, 'merged')]);
    await rm(adapterDir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(adapterDir));
    for (const f of ['adapter_config.json', 'adapter_model.safetensors'])
      await writeFile(join(adapterDir, f), await readFile(join(out, f)));

    const greedy = async (from: string) => {
      const s = await runCli([
        'sample',
        '--from',
        from,
        '--prompt',
        'word: dog =',
        '--max-new-tokens',
        '8',
        '--temperature',
        '0',
      ]);
      expect(s.err).toBe('');
      return s.out;
    };
    const fromRun = await greedy(out);
    expect(await greedy(adapterDir)).toBe(fromRun);
    expect(await greedy(join(dir, 'merged'))).toBe(fromRun);
    const run = await loadModelSource(out);
    expect(loraLayers(run.model).map(([path]) => path)).toEqual([
      'transformer.h.0.attn.c_attn',
      'transformer.h.0.attn.c_proj',
      'transformer.h.0.mlp.c_proj',
    ]);
  });

  it('resumes exactly: 4 steps and --resume to 8 give the losses of 8 straight steps', async () => {
    const straight = join(dir, 'straight');
    const cut = join(dir, 'cut');
    await finetune(`--out ${straight} --lora-r 2 --lora-dropout 0.1 --always-save-checkpoint`);
    await runCli([
      'finetune',
      '--from',
      base,
      '--data',
      join(dir, 'sft.jsonl'),
      ...`${SHORT} --out ${cut} --lora-r 2 --lora-dropout 0.1 --always-save-checkpoint`
        .replace('--max-iters 8', '--max-iters 4')
        .split(' '),
    ]);
    const resumed = await runCli([
      'finetune',
      '--data',
      join(dir, 'sft.jsonl'),
      ...`${SHORT} --out ${cut} --resume`.split(' '),
    ]);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/^resuming .* at iter 4/);
    const [a, b] = await Promise.all([loadCheckpoint(straight), loadCheckpoint(cut)]);
    expect(b.state.history.steps).toEqual(a.state.history.steps);
  });

  it('names the line of a bad example, and leaves no folder behind', async () => {
    const bad = join(dir, 'bad.jsonl');
    const cases: [string, RegExp][] = [
      ['{"prompt": "word: cat", "completion": " x"}\n{"prompt": "a",\n', /bad\.jsonl:2: not valid JSON/],
      ['{"prompt": "word: cat", "completion": ""}\n', /bad\.jsonl:1: "completion" is empty/],
      [
        `${JSON.stringify({ prompt: 'word: '.repeat(5), completion: 'x' })}\n`,
        /bad\.jsonl:1: the prompt is 30 tokens, longer than the model's context of 16/,
      ],
      [
        '{"prompt": "word: CAT =", "completion": "x"}\n',
        /bad\.jsonl:1: the model's tokenizer cannot encode the prompt/,
      ],
    ];
    for (const [text, message] of cases) {
      await writeFile(bad, text);
      const out = join(dir, 'never');
      const r = await runCli([
        'finetune',
        '--from',
        base,
        '--data',
        bad,
        '--out',
        out,
        '--val-fraction',
        '0',
      ]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`^proj finetune: .*${message.source}.*\\n$`));
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
  });

  it('refuses target modules that match nothing, LoRA options without --lora-r, and merging a model without adapters', async () => {
    const r = await finetune(`--out ${join(dir, 'x')} --lora-r 2 --target-modules q_proj`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/q_proj.*c_attn/s);
    const u = await finetune('--lora-alpha 4');
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/--lora-alpha need --lora-r/);
    const m = await runCli(['merge', '--from', base, '--out', join(dir, 'y')]);
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/has no LoRA adapters to merge/);
  });
});
