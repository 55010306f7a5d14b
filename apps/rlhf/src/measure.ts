import type { GPT } from '@proj/nn';
import { Generator } from '@proj/tensor';
import {
  estimateLoss,
  type GenerationOptions,
  klStats,
  sampleCompletions,
  scoreSequences,
  sequenceBatch,
  type TokenDataset,
} from '@proj/train';
import { lexiconScore } from './afinn-reward.js';

/** Continuations of prompts, decoded and scored by the lexicon. */
export interface Continuations {
  /** The prompt of each continuation (a prompt repeated once per sample). */
  prompts: number[][];
  completions: number[][];
  texts: string[];
  scores: number[];
}

/** What the report says about a policy (or a sampling method) on the held-out prompts. */
export interface Measurement {
  /** Mean AFINN score of a continuation. */
  score: number;
  /** KL to the base model, nats per sampled token (for best-of-n: the analytic bound). */
  klPerToken: number;
  /** Cross-entropy on SOTU's validation split. */
  valLoss: number;
  /** Distinct token bigrams over all bigrams of the continuations (diversity). */
  distinct2: number;
  /** Mean continuation length, tokens. */
  length: number;
}

/** How continuations are sampled for a measurement. */
export interface SampleOptions {
  generation: GenerationOptions;
  /** Continuations per prompt. */
  samples: number;
  seed: number;
  decode: (ids: readonly number[]) => string;
}

/** `samples` continuations of each prompt, sampled from `model` with a generator seeded by `seed`. */
export function sampleContinuations(
  model: GPT,
  prompts: readonly number[][],
  o: SampleOptions,
): Continuations {
  const rows = prompts.flatMap((p) => Array.from({ length: o.samples }, () => [...p]));
  const completions = sampleCompletions(model, rows, { ...o.generation, generator: new Generator(o.seed) });
  const texts = completions.map((c) => o.decode(c));
  return { prompts: rows, completions, texts, scores: texts.map(lexiconScore) };
}

/** Distinct token bigrams (within each continuation) over all of them: 1 is no repetition at all. */
export function distinct2(completions: readonly (readonly number[])[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const c of completions) {
    for (let i = 0; i + 1 < c.length; i++) {
      seen.add(`${c[i]},${c[i + 1]}`);
      total++;
    }
  }
  return total === 0 ? 0 : seen.size / total;
}

/** KL(policy ‖ base) per token, estimated on the policy's own samples: mean of `logp − logp_base` (k1). */
export function klPerToken(policy: GPT, base: GPT, c: Continuations, generation: GenerationOptions): number {
  const batch = sequenceBatch(c.prompts, c.completions);
  const processing = generation;
  const logprobs = scoreSequences(policy, batch, { processing }).logprobs;
  const reference = scoreSequences(base, batch, { processing }).logprobs;
  return klStats(logprobs, reference, batch.mask).perToken;
}

/** Cross-entropy of a model on fixed batches of SOTU's validation split. */
export function validationLoss(model: GPT, val: TokenDataset, evalIters: number): number {
  return estimateLoss(model, val, {
    batchSize: 16,
    blockSize: Math.min(64, model.config.blockSize),
    evalIters,
  });
}

/** A policy's measurement from its own continuations of the held-out prompts. */
export function measurePolicy(
  policy: GPT,
  base: GPT,
  c: Continuations,
  o: { generation: GenerationOptions; valLoss: number },
): Measurement {
  return {
    score: mean(c.scores),
    klPerToken: policy === base ? 0 : klPerToken(policy, base, c, o.generation),
    valLoss: o.valLoss,
    distinct2: distinct2(c.completions),
    length: mean(c.completions.map((x) => x.length)),
  };
}

/**
 * Best-of-n, the baseline without training: of `n` continuations of each prompt from the base, the
 * one the lexicon scores highest (the first of equals). Its KL to the base is the analytic
 * `log n − (n − 1)/n` nats per continuation (Stiennon et al. 2020), an upper bound, spread over its tokens.
 */
export function bestOfN(
  all: Continuations,
  n: number,
  valLoss: number,
): { continuations: Continuations; measurement: Measurement } {
  const pick: Continuations = { prompts: [], completions: [], texts: [], scores: [] };
  for (let start = 0; start < all.scores.length; start += n) {
    let best = start;
    for (let i = start; i < start + n; i++) if (all.scores[i]! > all.scores[best]!) best = i;
    pick.prompts.push(all.prompts[best]!);
    pick.completions.push(all.completions[best]!);
    pick.texts.push(all.texts[best]!);
    pick.scores.push(all.scores[best]!);
  }
  const length = mean(pick.completions.map((x) => x.length));
  return {
    continuations: pick,
    measurement: {
      score: mean(pick.scores),
      klPerToken: (Math.log(n) - (n - 1) / n) / length,
      valLoss,
      distinct2: distinct2(pick.completions),
      length,
    },
  };
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
