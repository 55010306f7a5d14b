import type { NumberLanguage } from 'demo-data';
import type { Codec } from '../codec.js';
import type { ModelKind } from '../models.js';

/** A source text and its reference outputs (the first is the one trained on). */
export interface Example {
  source: string;
  references: string[];
}

/** A named test set. */
export interface TestSet {
  name: string;
  examples: Example[];
}

/** The output limit of a task: `perSourceToken · n + extra` tokens for a source of `n` tokens. */
export interface OutputLimit {
  perSourceToken: number;
  extra: number;
}

/** Most tokens to generate for a source of `sourceLength` tokens. */
export function outputLimit(limit: OutputLimit, sourceLength: number): number {
  return limit.perSourceToken * sourceLength + limit.extra;
}

/** A metric name and its value (a fraction, shown as a percentage). */
export type Metrics = Record<string, number>;

/** What a task gives the shared runner: data, codecs, metrics, and its sizes and defaults. */
export interface TaskData {
  name: 'g2p' | 'numbers' | 'summaries';
  /** One line for reports. */
  title: string;
  source: Codec;
  target: Codec;
  train: Example[];
  valid: Example[];
  tests: TestSet[];
  /** Longest source the models take, in tokens (longer inputs are refused or cut, see `truncateSource`). */
  maxSourceLength: number;
  /** Cut longer sources to `maxSourceLength` tokens instead of refusing them (long documents). */
  truncateSource: boolean;
  /** Most output tokens decoded for a source of `n` tokens: `perSourceToken · n + extra`. */
  maxOutput: OutputLimit;
  /** Scores outputs (text) against their examples' references. */
  score: (examples: readonly Example[], outputs: readonly string[]) => Metrics;
  /** The metric tables lead with, and whether higher is better. */
  headline: { metric: string; higherIsBetter: boolean };
  /** The length (in units shown on the plot's axis) that accuracy is broken down by. */
  lengthOf?: {
    unit: string;
    of: (example: Example) => number;
    correct: (example: Example, output: string) => boolean;
  };
  /** Systems that need no training (e.g. the lead baseline): name → output for an example. */
  baselines?: Record<string, (example: Example) => string>;
  /** Numbers task: the source language, in which `translate` spells digits typed as input. */
  numberLanguage?: NumberLanguage;
  /** Notes on the data for the report (sizes, what was dropped). */
  notes: string[];
}

/** Per-task defaults of the run options. */
export interface TaskDefaults {
  models: ModelKind[];
  steps: number;
  batchSize: number;
  dModel: number;
  layers: number;
  lr: number;
  evalEvery: number;
}
