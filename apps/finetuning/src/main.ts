#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { enableThreads } from '@proj/tensor/node';
import { cmudict, mobyDickText, sotuText } from 'demo-data';
import { type DomainOptions, domainAdaptation } from './domain.js';
import { type G2POptions, g2pFinetuning } from './g2p.js';
import { domainReport, g2pReport, writeResults } from './report.js';

const USAGE = `Usage: proj-finetuning <domain|g2p> [--quick] [--out <dir>] [--threads <n>] [--source moby-dick|<path>]

  domain  pretrain a char GPT on --source (default Moby Dick), then adapt it to the State of the Union
          addresses: from scratch, full finetuning, LoRA r = 1, 4, 8, 16
  g2p     pretrain a char GPT on the State of the Union addresses, then teach it CMUdict pronunciations
          by SFT: loss on completions vs every token, full vs LoRA; WER/PER on the test words
  --quick a tiny model on slices of the data, for tests (seconds)
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    threads: { type: 'string', default: '2' },
    source: { type: 'string', default: 'moby-dick' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const [command] = positionals;
if (values.help || (command !== 'domain' && command !== 'g2p')) {
  process.stdout.write(USAGE);
  process.exit(values.help ? 0 : 2);
}
const threads = Number(values.threads);
if (threads > 1) await enableThreads(threads);
const out = values.out ?? join('runs', 'finetuning', `${command}${values.quick ? '-quick' : ''}`);
const log = (line: string) => process.stdout.write(`${line}\n`);
const started = performance.now();
const quickText = (text: string) => (values.quick ? text.slice(0, 200_000) : text);

if (command === 'domain') {
  const source =
    values.source === 'moby-dick'
      ? { name: 'Moby Dick', text: mobyDickText() }
      : await readSource(values.source!);
  const options: DomainOptions = {
    source: { ...source, text: quickText(source.text) },
    target: { name: 'SOTU', text: quickText(sotuText()) },
    pretrainSteps: values.quick ? 30 : 2000,
    finetuneSteps: values.quick ? 20 : 500,
    ranks: values.quick ? [1, 4] : [1, 4, 8, 16],
    lr: { full: 1e-3, lora: 3e-3 },
    batchSize: 12,
    evalInterval: values.quick ? 10 : 100,
    evalIters: values.quick ? 2 : 20,
    shape: values.quick ? { nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 32 } : undefined,
    seed: 1337,
  };
  const results = await domainAdaptation(options, log);
  const { markdown, svg } = domainReport(results);
  await writeResults(out, { 'results.json': json(results), 'results.md': markdown, 'curves.svg': svg });
  log(`\n${markdown}`);
} else {
  const words = cmudict();
  const cut = <T>(list: T[], n: number) => (values.quick ? list.slice(0, n) : list);
  const options: G2POptions = {
    corpus: { name: 'SOTU', text: quickText(sotuText()) },
    words: { train: cut(words.train, 300), valid: cut(words.valid, 24), test: cut(words.test, 24) },
    pretrainSteps: values.quick ? 20 : 2000,
    sftSteps: values.quick ? 20 : 1000,
    batchSize: values.quick ? 8 : 32,
    loraRank: 16,
    lr: { full: 5e-4, lora: 2e-3 },
    evalInterval: values.quick ? 10 : 200,
    evalIters: values.quick ? 2 : 10,
    blockSize: values.quick ? 64 : 80,
    shape: values.quick ? { nLayer: 1, nHead: 2, nEmbd: 32 } : undefined,
    seed: 1337,
  };
  const results = await g2pFinetuning(options, log);
  const { markdown } = g2pReport(results);
  await writeResults(out, { 'results.json': json(results), 'results.md': markdown });
  log(`\n${markdown}`);
}
log(`wrote ${out}/ in ${((performance.now() - started) / 1000).toFixed(0)} s`);

async function readSource(path: string): Promise<{ name: string; text: string }> {
  try {
    return { name: basename(path, extname(path)), text: await readFile(path, 'utf8') };
  } catch (error) {
    process.stderr.write(`proj-finetuning: cannot read --source ${path}: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
