import type { Generator } from '@proj/tensor';
import { type BatchSource, evalBatchIndices } from '../data/batch-source.js';
import { SFTDataset, type SFTTokenizer } from '../data/sft-dataset.js';
import { DatasetError } from '../data/sft-examples.js';
import { checkPreferenceExample, type PreferenceExample } from './preference-examples.js';
import { type SequenceBatch, spanSequenceBatch } from './sequences.js';

/** Sequence log-probabilities of every pair under the reference model, computed once (TRL's `precompute_ref_log_probs`). */
export interface ReferenceLogps {
  chosen: readonly number[];
  rejected: readonly number[];
}

/** A batch of preference pairs. */
export interface PreferenceBatch {
  /** The chosen sequences (rows `0…B−1`), then the rejected ones (rows `B…2B−1`). */
  sequences: SequenceBatch;
  /** B. */
  pairs: number;
  /** Which pairs of the set. */
  indices: number[];
  /** Each pair's margin (0 when it has none), or undefined when no pair of the set has one. */
  margins: number[] | undefined;
  /** The pairs' reference log-probabilities, when the dataset holds them. */
  reference: { chosen: number[]; rejected: number[] } | undefined;
}

/** Options of {@link PreferenceDataset.fromExamples}. */
export interface PreferenceDatasetOptions {
  tokenizer: SFTTokenizer;
  /** The model's context: a prompt with either completion (and its end token) must fit in it. */
  blockSize: number;
  /** Appended to each completion (default: the tokenizer's `<|endoftext|>`; `null`: none). */
  eosId?: number | null;
  /** Fills rows after their end (default: `eosId`, or 0). */
  padId?: number;
  /** How messages name example `index` (default `example <index>`). */
  describe?: (index: number) => string;
}

/**
 * Preference pairs for reward models and DPO. Each completion is tokenized with its prompt exactly
 * as {@link SFTDataset} tokenizes a prompt-completion example (each span on its own, the end token
 * appended, the prompt cut from its start when too long), so log-probabilities are summed over the
 * completion's tokens only, and a reward model reads the end token. Pairs are drawn uniformly with
 * replacement, as examples are.
 * @example
 * const pairs = PreferenceDataset.fromExamples([{ prompt: 'The state of', chosen: ' hope', rejected: ' war' }],
 *   { tokenizer, blockSize: 64 });
 */
export class PreferenceDataset implements BatchSource<PreferenceBatch> {
  private constructor(
    private readonly sequences: SFTDataset,
    /** The model context the pairs were fitted to. */
    readonly blockSize: number,
    private readonly margins: number[] | undefined,
    private readonly reference: ReferenceLogps | undefined,
  ) {}

  /**
   * @throws DatasetError naming the example: a missing field, identical completions (before or
   *   after fitting the context), text the tokenizer cannot encode.
   */
  static fromExamples(
    examples: readonly PreferenceExample[],
    options: PreferenceDatasetOptions,
  ): PreferenceDataset {
    const describe = options.describe ?? ((i: number) => `example ${i}`);
    if (examples.length === 0) throw new DatasetError('PreferenceDataset: no examples');
    const checked = examples.map((e, i) => checkPreferenceExample(e, describe(i)));
    const sequences = SFTDataset.fromExamples(
      checked.flatMap(({ prompt, chosen, rejected }) => [
        { prompt, completion: chosen },
        { prompt, completion: rejected },
      ]),
      {
        tokenizer: options.tokenizer,
        blockSize: options.blockSize - 1, // a whole sequence (inputs and last target) fits the context
        eosId: options.eosId,
        padId: options.padId,
        describe: (i) => `${describe(Math.floor(i / 2))} (${i % 2 === 0 ? 'chosen' : 'rejected'})`,
      },
    );
    checked.forEach((_, i) => {
      const [a, b] = [sequences.example(2 * i).ids, sequences.example(2 * i + 1).ids];
      if (a.length === b.length && a.every((id, t) => id === b[t]))
        throw new DatasetError(
          `${describe(i)}: "chosen" and "rejected" are identical once fitted to the context`,
        );
    });
    const margins = checked.some((e) => e.margin !== undefined)
      ? checked.map((e) => e.margin ?? 0)
      : undefined;
    return new PreferenceDataset(sequences, options.blockSize, margins, undefined);
  }

  /** Number of pairs. */
  get length(): number {
    return this.sequences.length / 2;
  }

  /** The id that pads rows. */
  get padId(): number {
    return this.sequences.padId;
  }

  /** How the completions were fitted into the context (counted per sequence, two per pair). */
  get stats(): SFTDataset['stats'] {
    return this.sequences.stats;
  }

  /** The chosen and the rejected sequence of pair `index`, each with its learned-token flags. */
  pair(index: number): {
    chosen: ReturnType<SFTDataset['example']>;
    rejected: ReturnType<SFTDataset['example']>;
  } {
    this.checkIndex(index);
    return { chosen: this.sequences.example(2 * index), rejected: this.sequences.example(2 * index + 1) };
  }

  /** The same pairs, holding the reference's log-probabilities of each (batches then carry them). */
  withReferenceLogps(reference: ReferenceLogps): PreferenceDataset {
    if (reference.chosen.length !== this.length || reference.rejected.length !== this.length)
      throw new RangeError(
        `PreferenceDataset.withReferenceLogps: ${reference.chosen.length} and ${reference.rejected.length} log-probabilities for ${this.length} pairs`,
      );
    return new PreferenceDataset(this.sequences, this.blockSize, this.margins, reference);
  }

  randomOffsets(batchSize: number, blockSize: number, generator: Generator): number[] {
    this.checkBlock(batchSize, blockSize);
    return Array.from({ length: batchSize }, () => generator.integer(0, this.length));
  }

  randomBatch(batchSize: number, blockSize: number, generator: Generator): PreferenceBatch {
    return this.batchAt(this.randomOffsets(batchSize, blockSize, generator), blockSize);
  }

  /** The `index`-th of `count` fixed batches: pairs spread evenly over the set. */
  evalBatch(index: number, count: number, batchSize: number, blockSize: number): PreferenceBatch {
    this.checkBlock(batchSize, blockSize);
    const indices = evalBatchIndices('PreferenceDataset.evalBatch', index, count, batchSize, this.length);
    return this.batchAt(indices, blockSize);
  }

  /** Pairs `indices`, chosen sequences first. */
  batchAt(indices: readonly number[], blockSize: number): PreferenceBatch {
    this.checkBlock(indices.length, blockSize);
    for (const i of indices) this.checkIndex(i);
    const rows = [...indices.map((i) => 2 * i), ...indices.map((i) => 2 * i + 1)].map((i) =>
      this.sequences.example(i),
    );
    const { reference, margins } = this;
    return {
      sequences: spanSequenceBatch(rows, { padId: this.padId }),
      pairs: indices.length,
      indices: [...indices],
      margins: margins && indices.map((i) => margins[i]!),
      reference: reference && {
        chosen: indices.map((i) => reference.chosen[i]!),
        rejected: indices.map((i) => reference.rejected[i]!),
      },
    };
  }

  private checkIndex(index: number): void {
    if (!(Number.isInteger(index) && index >= 0 && index < this.length))
      throw new RangeError(`PreferenceDataset: pair ${index} outside [0, ${this.length})`);
  }

  private checkBlock(batchSize: number, blockSize: number): void {
    if (!(Number.isInteger(batchSize) && batchSize > 0))
      throw new RangeError(`PreferenceDataset: batchSize must be a positive integer, got ${batchSize}`);
    if (blockSize !== this.blockSize)
      throw new RangeError(
        `PreferenceDataset: blockSize ${blockSize} differs from the ${this.blockSize} the pairs were fitted to`,
      );
  }
}
