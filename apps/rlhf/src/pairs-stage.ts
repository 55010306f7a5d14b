import { join } from 'node:path';
import { type PreferenceExample, preferencePair } from '@proj/train';
import { readPrompts, writeJsonl } from './jsonl.js';
import { sampleContinuations } from './measure.js';
import { loadRunModel } from './run-model.js';

/** Options of {@link pairsStage}. */
export interface PairsOptions {
  runs: string;
  /** Tokens per continuation. */
  maxNewTokens: number;
  seed: number;
}

/**
 * Preference pairs made as human-preference sets are: two continuations of each prompt sampled
 * from the base model (temperature 1), the one the lexicon scores higher chosen, ties dropped.
 * Training prompts give `pairs.jsonl`, evaluation prompts `val-pairs.jsonl`.
 */
export async function pairsStage(o: PairsOptions): Promise<string> {
  const { model, tokenizer } = await loadRunModel(join(o.runs, 'base'));
  const lines: string[] = [];
  for (const [file, out] of [
    ['prompts.jsonl', 'pairs.jsonl'],
    ['eval-prompts.jsonl', 'val-pairs.jsonl'],
  ] as const) {
    const texts = await readPrompts(join(o.runs, file));
    const prompts = texts.map((t) => tokenizer.encodeOrdinary(t));
    const sampled = sampleContinuations(model, prompts, {
      generation: { maxNewTokens: o.maxNewTokens },
      samples: 2,
      seed: o.seed,
      decode: (ids) => tokenizer.decode(ids),
    });
    const pairs = texts
      .map((prompt, i) =>
        preferencePair(
          prompt,
          [sampled.texts[2 * i]!, sampled.scores[2 * i]!],
          [sampled.texts[2 * i + 1]!, sampled.scores[2 * i + 1]!],
        ),
      )
      .filter((p): p is PreferenceExample => p !== null);
    await writeJsonl(join(o.runs, out), pairs);
    lines.push(
      `${out}: ${pairs.length} pairs from ${texts.length} prompts (${texts.length - pairs.length} ties dropped)`,
    );
  }
  return lines.join('\n');
}
