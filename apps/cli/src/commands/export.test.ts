import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSafetensors, tensor } from '@proj/tensor';
import { loadCheckpoint } from '@proj/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli.js';
import { loadModelSource } from '../model-source.js';

async function run(argv: string[]) {
  let [out, err] = ['', ''];
  const code = await main(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
  });
  return { code, out, err };
}

let dir: string;
const TINY = ['--n-layer', '2', '--n-head', '2', '--n-embd', '16', '--block-size', '16', '--batch-size', '4'];
const SHORT = [
  '--max-iters',
  '8',
  '--eval-interval',
  '4',
  '--eval-iters',
  '1',
  '--sample-tokens',
  '0',
  '--lr',
  '1e-2',
];
const FILES = [
  'config.json',
  'generation_config.json',
  'model.safetensors',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

async function trainAndExport(name: string, extra: string[] = []): Promise<{ run: string; hf: string }> {
  const [runDir, hf] = [join(dir, name), join(dir, `${name}-hf`)];
  const data = join(dir, 'poem.txt');
  const trained = await run(['train', '--data', data, ...TINY, ...SHORT, ...extra, '--out', runDir]);
  expect(trained.code, trained.err).toBe(0);
  const exported = await run(['export', '--from', runDir, '--out', hf]);
  expect(exported.err).toBe('');
  expect(exported.out).toMatch(/exported .* \(iter 8\) to .*: GPT-2 layout, 2 layers, 2 heads, 16 wide/);
  return { run: runDir, hf };
}

const greedy = async (from: string) =>
  run(['sample', '--from', from, '--prompt', 'the ', '--temperature', '0', '--max-new-tokens', '40']);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proj-export-'));
  await writeFile(join(dir, 'poem.txt'), 'the quick brown fox jumps over the lazy dog.\n'.repeat(80));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('proj export', () => {
  it('writes a Hugging Face GPT-2 folder that loads back to the same model, config and tokenizer', async () => {
    const { run: runDir, hf } = await trainAndExport('char');
    expect((await readdir(hf)).sort()).toEqual(FILES);
    const config = JSON.parse(await readFile(join(hf, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      vocab_size: 29,
      n_positions: 16,
      n_embd: 16,
      n_layer: 2,
      n_head: 2,
      activation_function: 'gelu', // proj train's exact GELU
      tie_word_embeddings: true,
      bos_token_id: null,
      eos_token_id: null,
    });

    // GPT2LMHeadModel's keys, Conv1D [in, out] weights, zero biases for proj train's bias-free model
    const checkpoint = loadSafetensors((await loadCheckpoint(runDir)).model);
    const weights = loadSafetensors(await readFile(join(hf, 'model.safetensors')));
    expect(Object.keys(weights).every((k) => k.startsWith('transformer.'))).toBe(true);
    expect(Object.keys(weights)).toHaveLength(2 + 2 * 12 + 2);
    const ours = checkpoint['transformer.h.1.mlp.c_fc.weight']!; // [64, 16]
    const theirs = weights['transformer.h.1.mlp.c_fc.weight']!; // [16, 64]
    expect(theirs.shape).toEqual([16, 64]);
    expect(Array.from(theirs.data())).toEqual(Array.from(ours.transpose(0, 1).contiguous().data()));
    expect(Array.from(weights['transformer.h.0.attn.c_attn.bias']!.data())).toEqual(new Array(48).fill(0));

    const [original, back] = await Promise.all([loadModelSource(runDir), loadModelSource(hf)]);
    expect(back.format).toBe('hugging-face');
    expect(back.warnings).toEqual([]);
    expect(back.model.config).toEqual({ ...original.model.config, bias: true });
    const text = 'the lazy dog.\n';
    expect(back.tokenizer.encode(text)).toEqual(original.tokenizer.encode(text));
    const ids = tensor([original.tokenizer.encode(text)], { dtype: 'int32' });
    const [a, b] = [original, back].map((s) => s.model.eval().forward(ids).logits.data.data());
    expect(Math.max(...Array.from(a!, (v, i) => Math.abs(v - b![i]!)))).toBeLessThan(1e-6);

    const [fromRun, fromFolder] = [await greedy(runDir), await greedy(hf)];
    expect(fromFolder.code).toBe(0);
    expect(fromFolder.out).toBe(fromRun.out);
    expect(fromFolder.out).toMatch(/^the .{40}\n$/s);

    // exporting the folder again writes the same bytes
    const again = join(dir, 'char-hf-again');
    expect((await run(['export', '--from', hf, '--out', again])).code).toBe(0);
    for (const name of FILES)
      expect(await readFile(join(again, name)), name).toEqual(await readFile(join(hf, name)));
  });

  it('exports a byte-level BPE run with its tokenizer.json', async () => {
    const { run: runDir, hf } = await trainAndExport('bpe', ['--tokenizer', 'bpe:270']);
    const tokenizer = JSON.parse(await readFile(join(hf, 'tokenizer.json'), 'utf8'));
    expect(tokenizer.model.type).toBe('BPE');
    const [original, back] = await Promise.all([loadModelSource(runDir), loadModelSource(hf)]);
    const text = 'the quick brown fox';
    expect(back.tokenizer.encode(text)).toEqual(original.tokenizer.encode(text));
    expect((await greedy(hf)).out).toBe((await greedy(runDir)).out);
  });

  it('refuses what it cannot do in one line (exit 1), and names a bad config.json field', async () => {
    const { run: runDir, hf } = await trainAndExport('refuse');
    const onto = await run(['export', '--from', runDir, '--out', runDir]);
    expect(onto.code).toBe(1);
    expect(onto.err).toMatch(
      /^proj export: --out .* holds a proj checkpoint; write into a folder of its own\n$/,
    );
    expect((await run(['export', '--from', runDir])).err).toMatch(/--out <dir> is required/);

    const broken = join(dir, 'broken');
    await mkdir(broken);
    for (const name of ['config.json', 'model.safetensors'])
      await copyFile(join(hf, name), join(broken, name));
    const noTokenizer = await greedy(broken);
    expect(noTokenizer.code).toBe(1);
    expect(noTokenizer.err).toMatch(/^proj sample: .*broken has config.json but no tokenizer.json/);

    await copyFile(join(hf, 'tokenizer.json'), join(broken, 'tokenizer.json'));
    const config = JSON.parse(await readFile(join(hf, 'config.json'), 'utf8'));
    await writeFile(join(broken, 'config.json'), JSON.stringify({ ...config, n_head: 3 }));
    const badHeads = await greedy(broken);
    expect(badHeads.code).toBe(1);
    expect(badHeads.err).toMatch(
      /^proj sample: .*broken: config.json: n_head 3 does not divide n_embd 16\n$/,
    );

    await writeFile(join(broken, 'config.json'), JSON.stringify({ ...config, vocab_size: 20 }));
    expect((await greedy(broken)).err).toMatch(/vocab_size 20 does not match the weights/);

    await writeFile(join(broken, 'config.json'), JSON.stringify({ ...config, rope_scaling: null }));
    const noted = await greedy(broken);
    expect(noted.code).toBe(0);
    expect(noted.err).toBe('proj sample: note: config.json: ignored unknown field rope_scaling\n');
  });
});
