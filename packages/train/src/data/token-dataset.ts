import { type Generator, Tensor } from '@proj/tensor';
import type { BatchSource } from './batch-source.js';

/** Token ids as stored: `Uint16Array` (nanoGPT's `.bin` format, vocabularies ≤ 65536) or `Int32Array`. */
export type TokenArray = Int32Array | Uint16Array;

/** Inputs and next-token targets, both int32 `[B, T]`. */
export interface Batch {
  /** Input ids `[B, T]`. */
  x: Tensor;
  /** Target ids `[B, T]`: `x` shifted left by one token. */
  y: Tensor;
}

/**
 * A stream of token ids to sample language-model batches from: contiguous windows of `T` tokens
 * and the same windows shifted by one as targets. Holds the ids without copying.
 *
 * @example
 * const { train, val } = new TokenDataset(Uint16Array.from(tok.encode(text))).split(0.9);
 * const { x, y } = train.randomBatch(12, 64, new Generator(1337));
 */
export class TokenDataset implements BatchSource {
  /** The ids. */
  readonly ids: TokenArray;

  /** @throws RangeError for a negative or non-integer id in a plain array. */
  constructor(ids: TokenArray | readonly number[]) {
    if (ids instanceof Int32Array || ids instanceof Uint16Array) this.ids = ids;
    else {
      const out = new Int32Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (!(Number.isInteger(id) && id >= 0 && id < 2 ** 31))
          throw new RangeError(`TokenDataset: id ${id} at position ${i} is not a non-negative int32`);
        out[i] = id;
      }
      this.ids = out;
    }
  }

  /** Number of tokens. */
  get length(): number {
    return this.ids.length;
  }

  /**
   * Splits into a training part (the first `fraction` of the tokens) and a validation part (the
   * rest), as nanoGPT's `prepare.py` (`fraction` 0.9). Both share this dataset's memory.
   * @throws RangeError unless 0 < fraction < 1.
   */
  split(fraction = 0.9): { train: TokenDataset; val: TokenDataset } {
    if (!(fraction > 0 && fraction < 1))
      throw new RangeError(`TokenDataset.split: fraction must be in (0, 1), got ${fraction}`);
    const n = Math.floor(this.length * fraction);
    return { train: new TokenDataset(this.ids.subarray(0, n)), val: new TokenDataset(this.ids.subarray(n)) };
  }

  /**
   * `batchSize` windows at uniformly random offsets in `[0, length − blockSize)`, drawn from
   * `generator` in order — nanoGPT's `get_batch`: `x = ids[i : i+T]`, `y = ids[i+1 : i+T+1]`.
   * With a `'torch'` generator the offsets are `torch.randint(len(data) - block_size, (batch_size,))`.
   * @throws RangeError when the dataset has fewer than `blockSize + 1` tokens.
   */
  randomBatch(batchSize: number, blockSize: number, generator: Generator): Batch {
    return this.batchAt(this.randomOffsets(batchSize, blockSize, generator), blockSize);
  }

  /** The offsets {@link randomBatch} draws (its batch is `batchAt(offsets, blockSize)`). */
  randomOffsets(batchSize: number, blockSize: number, generator: Generator): number[] {
    this.checkFits('randomBatch', batchSize, blockSize);
    const offsets = new Array<number>(batchSize);
    for (let b = 0; b < batchSize; b++) offsets[b] = generator.integer(0, this.length - blockSize);
    return offsets;
  }

  /**
   * The `index`-th of `count` fixed evaluation batches: `count · batchSize` windows at offsets
   * spread evenly over `[0, length − blockSize)`, so every evaluation sees the same tokens, covers
   * the whole split, and draws nothing from a generator.
   * @throws RangeError for an index outside `[0, count)` or a dataset too short for `blockSize`.
   */
  evalBatch(index: number, count: number, batchSize: number, blockSize: number): Batch {
    this.checkFits('evalBatch', batchSize, blockSize);
    if (!(Number.isInteger(index) && index >= 0 && index < count))
      throw new RangeError(`TokenDataset.evalBatch: index ${index} outside [0, ${count})`);
    const windows = count * batchSize;
    const span = this.length - blockSize;
    const offsets = new Array<number>(batchSize);
    for (let b = 0; b < batchSize; b++) offsets[b] = Math.floor(((index * batchSize + b) * span) / windows);
    return this.batchAt(offsets, blockSize);
  }

  /** The windows starting at `offsets` and their targets. */
  batchAt(offsets: readonly number[], blockSize: number): Batch {
    const B = offsets.length;
    const x = new Int32Array(B * blockSize);
    const y = new Int32Array(B * blockSize);
    for (let b = 0; b < B; b++) {
      const i = offsets[b]!;
      if (!(Number.isInteger(i) && i >= 0 && i + blockSize + 1 <= this.length))
        throw new RangeError(
          `TokenDataset.batchAt: window [${i}, ${i + blockSize + 1}) outside [0, ${this.length})`,
        );
      for (let t = 0; t < blockSize; t++) {
        x[b * blockSize + t] = this.ids[i + t]!;
        y[b * blockSize + t] = this.ids[i + t + 1]!;
      }
    }
    return { x: new Tensor(x, [B, blockSize]), y: new Tensor(y, [B, blockSize]) };
  }

  private checkFits(op: string, batchSize: number, blockSize: number): void {
    if (!(Number.isInteger(batchSize) && batchSize > 0 && Number.isInteger(blockSize) && blockSize > 0))
      throw new RangeError(
        `TokenDataset.${op}: batchSize and blockSize must be positive integers, got ${batchSize} and ${blockSize}`,
      );
    if (this.length < blockSize + 1)
      throw new RangeError(
        `TokenDataset.${op}: ${this.length} tokens cannot fill a block of ${blockSize} plus one target`,
      );
  }
}
