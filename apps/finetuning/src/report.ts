import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lineChart } from 'proj-charts';
import type { DomainResults } from './domain.js';
import type { G2PResults } from './g2p.js';

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** The domain-adaptation table (markdown) and its learning curves (svg). */
export function domainReport(r: DomainResults): { markdown: string; svg: string } {
  const rows = r.variants.map(
    (v) =>
      `| ${v.name} | ${v.trainable.toLocaleString('en-US')} | ${v.lr} | ${v.finalValLoss.toFixed(4)} | ${v.msPerStep.toFixed(1)} | ${kib(v.optimizerBytes)} |`,
  );
  const markdown = [
    `Base: ${r.parameters.toLocaleString('en-US')} parameters, vocabulary ${r.vocabSize}, pretrained ${r.pretrain.steps} steps on ${r.source} in ${r.pretrain.seconds.toFixed(0)} s: ${r.source} val loss ${r.pretrain.sourceValLoss.toFixed(4)}, ${r.target} val loss ${r.pretrain.targetValLoss.toFixed(4)} before adaptation.`,
    '',
    `| ${r.target}: how the model was trained | trainable | lr | ${r.target} val loss | ms/step | AdamW state |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
  const svg = lineChart({
    title: `${r.target} validation loss while adapting a ${r.source} model`,
    xLabel: 'step',
    yLabel: `${r.target} val loss`,
    yFromZero: false,
    series: r.variants.map((v) => ({ label: v.name, points: v.curve, markers: true })),
  });
  return { markdown, svg };
}

/** The CMUdict SFT table (markdown). */
export function g2pReport(r: G2PResults): { markdown: string } {
  const rows = r.variants.map(
    (v) =>
      `| ${v.name} | ${v.trainable.toLocaleString('en-US')} | ${v.valLoss.toFixed(4)} | ${pct(v.stressed.wer)} | ${pct(v.stressed.per)} | ${pct(v.unstressed.wer)} | ${pct(v.unstressed.per)} | ${v.msPerStep.toFixed(0)} | ${v.seconds.toFixed(0)} s |`,
  );
  const examples = r.variants.flatMap((v) => [
    '',
    `${v.name}:`,
    '',
    '| word | CMUdict | model |',
    '| --- | --- | --- |',
    ...v.examples.map((e) => `| ${e.word} | ${e.expected} | ${e.got} |`),
  ]);
  const markdown = [
    `Base: ${r.parameters.toLocaleString('en-US')} parameters, pretrained ${r.pretrain.steps} steps on ${r.corpus} in ${r.pretrain.seconds.toFixed(0)} s (val loss ${r.pretrain.valLoss.toFixed(4)}). CMUdict words: ${r.words.train} train / ${r.words.valid} valid / ${r.words.test} test; ${r.truncated.prompts} training prompts cut to fit the context.`,
    '',
    '| finetuning | trainable | val loss (completions) | WER | PER | WER, no stress | PER, no stress | ms/step | time |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    ...examples,
    '',
  ].join('\n');
  return { markdown };
}

/** Writes `files` (name → contents) into `dir`, created if needed. */
export async function writeResults(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
}
