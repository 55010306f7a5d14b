import type { Generator } from '@proj/tensor';
import { type BatchSource, evalBatchIndices } from '../data/batch-source.js';
import { DatasetError } from '../data/sft-examples.js';

/** Prompts of a PPO or GRPO iteration (token ids), and which ones of the set they are. */
export interface PromptBatch {
  prompts: number[][];
  indices: number[];
}

/**
 * Prompts to sample completions for (PPO, GRPO): token ids, drawn uniformly with replacement as
 * {@link SFTDataset} draws examples, so an RL run resumes exactly like any other. `blockSize` is
 * the model's context: each prompt must leave room for the completion (`maxNewTokens`).
 * @example const prompts = PromptDataset.fromTexts(['The nation', 'Our people'], tokenizer);
 */
export class PromptDataset implements BatchSource<PromptBatch> {
  readonly prompts: readonly (readonly number[])[];

  /** @throws DatasetError for an empty set, an empty prompt or an id that is not a non-negative integer. */
  constructor(prompts: readonly (readonly number[])[]) {
    if (prompts.length === 0) throw new DatasetError('PromptDataset: no prompts');
    prompts.forEach((p, i) => {
      if (p.length === 0) throw new DatasetError(`PromptDataset: prompt ${i} is empty`);
      if (!p.every((id) => Number.isInteger(id) && id >= 0))
        throw new DatasetError(`PromptDataset: prompt ${i} holds an id that is not a non-negative integer`);
    });
    this.prompts = prompts.map((p) => [...p]);
  }

  /** Encodes each text as ordinary text (special-token text stays characters). */
  static fromTexts(
    texts: readonly string[],
    tokenizer: { encodeOrdinary(text: string): number[] },
  ): PromptDataset {
    return new PromptDataset(texts.map((t) => tokenizer.encodeOrdinary(t)));
  }

  get length(): number {
    return this.prompts.length;
  }

  /** The longest prompt, in tokens. */
  get longest(): number {
    return Math.max(...this.prompts.map((p) => p.length));
  }

  randomOffsets(batchSize: number, _blockSize: number, generator: Generator): number[] {
    this.checkBatchSize(batchSize);
    return Array.from({ length: batchSize }, () => generator.integer(0, this.length));
  }

  batchAt(indices: readonly number[], _blockSize: number): PromptBatch {
    for (const i of indices) {
      if (!(Number.isInteger(i) && i >= 0 && i < this.length))
        throw new RangeError(`PromptDataset.batchAt: prompt ${i} outside [0, ${this.length})`);
    }
    return { prompts: indices.map((i) => [...this.prompts[i]!]), indices: [...indices] };
  }

  randomBatch(batchSize: number, blockSize: number, generator: Generator): PromptBatch {
    return this.batchAt(this.randomOffsets(batchSize, blockSize, generator), blockSize);
  }

  /** The `index`-th of `count` fixed batches: prompts spread evenly over the set. */
  evalBatch(index: number, count: number, batchSize: number, blockSize: number): PromptBatch {
    this.checkBatchSize(batchSize);
    const indices = evalBatchIndices('PromptDataset.evalBatch', index, count, batchSize, this.length);
    return this.batchAt(indices, blockSize);
  }

  private checkBatchSize(batchSize: number): void {
    if (!(Number.isInteger(batchSize) && batchSize > 0))
      throw new RangeError(`PromptDataset: batchSize must be a positive integer, got ${batchSize}`);
  }
}
