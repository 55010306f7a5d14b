import { join } from 'node:path';
import { type GenerationOptions, type PreferenceExample, preferencePair } from '@proj/train';
import { readPrompts, writeJsonl } from './jsonl.js';
import { sampleContinuations } from './measure.js';
import { loadRunModel } from './run-model.js';

/** Options of {@link pairsStage}. */
export interface PairsOptions {
  runs: string;
  /** How continuations are sampled. */
  generation: GenerationOptions;
  /** Pairs made from each training prompt, and from each evaluation prompt (more, for a larger held-out set). */
  pairsPerPrompt: { train: number; val: number };
  seed: number;
}

/**
 * Preference pairs made as human-preference sets are: two continuations of a prompt sampled from
 * the base model, the one the lexicon scores higher chosen, ties dropped. Training prompts give
 * `pairs.jsonl`, evaluation prompts `val-pairs.jsonl` (`pairsPerPrompt` pairs of each).
 */
export async function pairsStage(o: PairsOptions): Promise<string> {
  const { model, tokenizer } = await loadRunModel(join(o.runs, 'base'));
  const lines: string[] = [];
  for (const [file, out, perPrompt] of [
    ['prompts.jsonl', 'pairs.jsonl', o.pairsPerPrompt.train],
    ['eval-prompts.jsonl', 'val-pairs.jsonl', o.pairsPerPrompt.val],
  ] as const) {
    const texts = await readPrompts(join(o.runs, file));
    const prompts = texts.map((t) => tokenizer.encodeOrdinary(t));
    const sampled = sampleContinuations(model, prompts, {
      generation: o.generation,
      samples: 2 * perPrompt,
      seed: o.seed,
      decode: (ids) => tokenizer.decode(ids),
    });
    const pairs: PreferenceExample[] = [];
    for (let i = 0; i < sampled.texts.length; i += 2) {
      const prompt = texts[Math.floor(i / (2 * perPrompt))]!;
      const first: [string, number] = [sampled.texts[i]!, sampled.scores[i]!];
      const pair = preferencePair(prompt, first, [sampled.texts[i + 1]!, sampled.scores[i + 1]!]);
      if (pair) pairs.push(pair);
    }
    await writeJsonl(join(o.runs, out), pairs);
    const made = texts.length * perPrompt;
    lines.push(
      `${out}: ${pairs.length} pairs from ${texts.length} prompts (${made - pairs.length} ties dropped)`,
    );
  }
  return lines.join('\n');
}
