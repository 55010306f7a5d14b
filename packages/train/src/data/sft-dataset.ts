import { IGNORE_INDEX } from '@proj/nn';
import { type Generator, Tensor } from '@proj/tensor';
import { type BatchSource, evalBatchIndices } from './batch-source.js';
import { type ChatTemplate, chatML, type TextSpan } from './chat-template.js';
import { checkSFTExample, DatasetError, type SFTExample } from './sft-examples.js';
import type { Batch } from './token-dataset.js';

/** What {@link SFTDataset} needs from a tokenizer (every `@proj/tokenizers` tokenizer fits). */
export interface SFTTokenizer {
  /** Encodes text; with `allowedSpecial: 'all'`, special-token text becomes the special id. */
  encode(text: string, options: { allowedSpecial: 'all' }): number[];
  /** Encodes text with special-token text as ordinary characters. */
  encodeOrdinary(text: string): number[];
  /** Special token text → id. */
  readonly specialTokens: ReadonlyMap<string, number>;
}

/** Options of {@link SFTDataset.fromExamples}. */
export interface SFTDatasetOptions {
  tokenizer: SFTTokenizer;
  /** The model's context: each example keeps at most `blockSize + 1` tokens (inputs and shifted targets). */
  blockSize: number;
  /** Renders `messages` examples (default {@link chatML}). */
  template?: ChatTemplate;
  /**
   * Id appended to every prompt-completion example and learned, so the model learns to stop
   * (default: the tokenizer's `<|endoftext|>` when it has one; `null`: append nothing).
   */
  eosId?: number | null;
  /** Id that fills inputs after an example's end (default: `eosId`, or 0); its targets are ignored. */
  padId?: number;
  /** How messages name example `index` (default `example <index>`; e.g. `data.jsonl:<line>`). */
  describe?: (index: number) => string;
  /**
   * Compute the loss only on completion tokens (default true, TRL's `completion_only_loss`);
   * false trains on every token of the example (prompts too), padding excepted.
   */
  completionOnlyLoss?: boolean;
}

/** What {@link SFTDataset.fromExamples} did to fit the examples into the context. */
export interface SFTDatasetStats {
  examples: number;
  /** Examples whose prompt lost tokens from its start to fit the context. */
  promptTruncated: number;
  /** Examples whose completion alone did not fit, cut at the end (their end token is lost). */
  completionTruncated: number;
  /** Tokens kept, over all examples. */
  tokens: number;
  /** Target tokens the loss is computed on, over all examples. */
  trainedTokens: number;
}

/**
 * Supervised finetuning data: tokenized examples with loss masks, batched by padding to the
 * longest example (right padding). Targets are the inputs shifted left by one, set to
 * `IGNORE_INDEX` (from `@proj/nn`) on prompt tokens (unless `completionOnlyLoss` is false) and on
 * padding. The end token of a completion is always learned, even when it is also the pad id: masks
 * come from the example's spans, never from comparing ids.
 *
 * Batches are drawn like {@link TokenDataset}'s, so the same loop trains on either: "offsets" here
 * are example indices, drawn uniformly with replacement from the generator.
 *
 * @example
 * const data = SFTDataset.fromExamples([{ prompt: 'word: cat\nphonemes:', completion: ' K AE1 T\n' }],
 *   { tokenizer, blockSize: 64 });
 * const { x, y } = data.randomBatch(8, 64, new Generator(1));
 */
export class SFTDataset implements BatchSource {
  /** Maximum tokens per window (inputs): each example holds at most `blockSize + 1` ids. */
  readonly blockSize: number;
  /** Id that fills inputs after an example's end. */
  readonly padId: number;
  /** How the examples were fitted into the context. */
  readonly stats: SFTDatasetStats;
  private readonly ids: Int32Array;
  private readonly trained: Uint8Array;
  private readonly starts: Int32Array;

  private constructor(
    parts: { ids: Int32Array; trained: Uint8Array; starts: Int32Array; stats: SFTDatasetStats },
    blockSize: number,
    padId: number,
  ) {
    this.ids = parts.ids;
    this.trained = parts.trained;
    this.starts = parts.starts;
    this.stats = parts.stats;
    this.blockSize = blockSize;
    this.padId = padId;
  }

  /**
   * Tokenizes and fits `examples`: each span of the rendered example is encoded on its own (message
   * contents as ordinary text, template markup with special tokens), so the trained tokens are
   * exactly the completion's. An example longer than `blockSize + 1` tokens loses tokens from the
   * start of its prompt; one whose completion alone does not fit keeps one prompt token and the
   * start of the completion.
   * @throws DatasetError for a malformed example or one the tokenizer cannot encode (naming it), or
   *   an empty set.
   * @throws RangeError for a bad `blockSize`, `eosId` or `padId`.
   */
  static fromExamples(examples: readonly SFTExample[], options: SFTDatasetOptions): SFTDataset {
    const { tokenizer, blockSize, template = chatML(), completionOnlyLoss = true } = options;
    const describe = options.describe ?? ((index: number) => `example ${index}`);
    if (!(Number.isInteger(blockSize) && blockSize >= 1))
      throw new RangeError(`SFTDataset: blockSize must be an integer >= 1, got ${blockSize}`);
    const eosId =
      options.eosId === undefined ? (tokenizer.specialTokens.get('<|endoftext|>') ?? null) : options.eosId;
    const padId = options.padId ?? eosId ?? 0;
    for (const [name, id] of [
      ['eosId', eosId],
      ['padId', padId],
    ] as const) {
      if (id !== null && !(Number.isInteger(id) && id >= 0))
        throw new RangeError(`SFTDataset: ${name} must be a non-negative integer, got ${id}`);
    }
    if (examples.length === 0) throw new DatasetError('SFTDataset: no examples');
    const ids: number[] = [];
    const trained: number[] = [];
    const starts = new Int32Array(examples.length + 1);
    const stats = {
      examples: examples.length,
      promptTruncated: 0,
      completionTruncated: 0,
      tokens: 0,
      trainedTokens: 0,
    };
    examples.forEach((raw, index) => {
      const example = checkSFTExample(raw, describe(index));
      const spans: TextSpan[] =
        'messages' in example
          ? template(example.messages)
          : [
              { text: example.prompt, trained: false, markup: false },
              { text: example.completion, trained: true, markup: false },
            ];
      let tokens: ReturnType<typeof encodeSpans>;
      try {
        tokens = encodeSpans(tokenizer, spans);
      } catch (error) {
        throw new DatasetError(
          `${describe(index)}: the tokenizer cannot encode it (${(error as Error).message})`,
        );
      }
      if ('prompt' in example && eosId !== null) {
        tokens.ids.push(eosId);
        tokens.completion.push(1);
      }
      const fitted = fitContext(tokens, blockSize + 1);
      if (fitted.cut === 'prompt') stats.promptTruncated++;
      if (fitted.cut === 'completion') stats.completionTruncated++;
      const mask = completionOnlyLoss ? fitted.completion : fitted.completion.map(() => 1);
      ids.push(...fitted.ids);
      // the first token is never a target
      for (let t = 0; t < mask.length; t++) {
        const learned = t > 0 && mask[t] === 1 ? 1 : 0;
        trained.push(learned);
        stats.trainedTokens += learned;
      }
      starts[index + 1] = ids.length;
    });
    stats.tokens = ids.length;
    if (stats.trainedTokens === 0)
      throw new DatasetError('SFTDataset: no example has a token to learn after fitting the context');
    const parts = { ids: Int32Array.from(ids), trained: Uint8Array.from(trained), starts, stats };
    return new SFTDataset(parts, blockSize, padId);
  }

  /** Number of examples. */
  get length(): number {
    return this.starts.length - 1;
  }

  /** The ids of example `index` (prompt and completion, end token included) and which of them are learned. */
  example(index: number): { ids: Int32Array; trained: Uint8Array } {
    this.checkIndex('example', index);
    const [a, b] = [this.starts[index]!, this.starts[index + 1]!];
    return { ids: this.ids.subarray(a, b), trained: this.trained.subarray(a, b) };
  }

  /** `batchSize` examples drawn uniformly with replacement, padded (`batchAt(randomOffsets(…))`). */
  randomBatch(batchSize: number, blockSize: number, generator: Generator): Batch {
    return this.batchAt(this.randomOffsets(batchSize, blockSize, generator), blockSize);
  }

  /** Indices of `batchSize` examples drawn uniformly with replacement from `generator`. */
  randomOffsets(batchSize: number, blockSize: number, generator: Generator): number[] {
    this.checkBlock('randomOffsets', batchSize, blockSize);
    return Array.from({ length: batchSize }, () => generator.integer(0, this.length));
  }

  /**
   * The `index`-th of `count` fixed evaluation batches: example indices spread evenly over the set,
   * so every evaluation sees the same examples and draws nothing.
   */
  evalBatch(index: number, count: number, batchSize: number, blockSize: number): Batch {
    this.checkBlock('evalBatch', batchSize, blockSize);
    const indices = evalBatchIndices('SFTDataset.evalBatch', index, count, batchSize, this.length);
    return this.batchAt(indices, blockSize);
  }

  /**
   * Examples `indices` as inputs `x` and targets `y`, both int32 `[B, T]` with `T` the longest
   * example's length minus one: `x` padded with `padId`, `y[b, t]` the next id where it is
   * learned and `IGNORE_INDEX` elsewhere.
   */
  batchAt(indices: readonly number[], blockSize: number): Batch {
    this.checkBlock('batchAt', indices.length, blockSize);
    let T = 1;
    for (const i of indices) {
      this.checkIndex('batchAt', i);
      T = Math.max(T, this.starts[i + 1]! - this.starts[i]! - 1);
    }
    const B = indices.length;
    const x = new Int32Array(B * T).fill(this.padId);
    const y = new Int32Array(B * T).fill(IGNORE_INDEX);
    for (let b = 0; b < B; b++) {
      const start = this.starts[indices[b]!]!;
      const n = this.starts[indices[b]! + 1]! - start;
      for (let t = 0; t + 1 < n; t++) {
        x[b * T + t] = this.ids[start + t]!;
        if (this.trained[start + t + 1]) y[b * T + t] = this.ids[start + t + 1]!;
      }
    }
    return { x: new Tensor(x, [B, T]), y: new Tensor(y, [B, T]) };
  }

  private checkIndex(op: string, index: number): void {
    if (!(Number.isInteger(index) && index >= 0 && index < this.length))
      throw new RangeError(`SFTDataset.${op}: example ${index} outside [0, ${this.length})`);
  }

  private checkBlock(op: string, batchSize: number, blockSize: number): void {
    if (!(Number.isInteger(batchSize) && batchSize > 0))
      throw new RangeError(`SFTDataset.${op}: batchSize must be a positive integer, got ${batchSize}`);
    if (blockSize !== this.blockSize)
      throw new RangeError(
        `SFTDataset.${op}: blockSize ${blockSize} differs from the ${this.blockSize} the examples were fitted to`,
      );
  }
}

/**
 * An example as a model meets it at inference: the ids of its prompt (a prompt-completion pair's
 * prompt; a conversation up to its last assistant message, with the template's generation prompt),
 * encoded as {@link SFTDataset} encodes them, and the completion the model should write.
 * @example const { ids, completion } = promptForGeneration(tokenizer, { prompt: 'cat:', completion: ' K AE1 T' });
 */
export function promptForGeneration(
  tokenizer: SFTTokenizer,
  example: SFTExample,
  template: ChatTemplate = chatML(),
): { ids: number[]; completion: string } {
  if ('prompt' in example)
    return {
      ids: encodeSpans(tokenizer, [{ text: example.prompt, trained: false, markup: false }]).ids,
      completion: example.completion,
    };
  const last = example.messages.findLastIndex((m) => m.role === 'assistant');
  const spans = template(example.messages.slice(0, last), { addGenerationPrompt: true });
  return { ids: encodeSpans(tokenizer, spans).ids, completion: example.messages[last]?.content ?? '' };
}

/** Ids of the spans in order, and 1 for each id that belongs to a trained span. */
function encodeSpans(tokenizer: SFTTokenizer, spans: readonly TextSpan[]) {
  const ids: number[] = [];
  const completion: number[] = [];
  for (const span of spans) {
    const piece = span.markup
      ? tokenizer.encode(span.text, { allowedSpecial: 'all' })
      : tokenizer.encodeOrdinary(span.text);
    for (const id of piece) {
      ids.push(id);
      completion.push(span.trained ? 1 : 0);
    }
  }
  return { ids, completion };
}

/**
 * Fits an example into `maxTokens`: drops prompt tokens from the start while at least one token of
 * context stays before the first learned one; otherwise keeps that one token and the start of the
 * completion.
 */
function fitContext(
  tokens: { ids: number[]; completion: number[] },
  maxTokens: number,
): { ids: number[]; completion: number[]; cut: 'none' | 'prompt' | 'completion' } {
  const excess = tokens.ids.length - maxTokens;
  if (excess <= 0) return { ...tokens, cut: 'none' };
  const firstLearned = tokens.completion.indexOf(1);
  const promptLength = firstLearned < 0 ? tokens.ids.length : firstLearned;
  const [from, cut] =
    excess < promptLength
      ? [excess, 'prompt' as const]
      : [Math.max(0, promptLength - 1), 'completion' as const];
  return {
    ids: tokens.ids.slice(from, from + maxTokens),
    completion: tokens.completion.slice(from, from + maxTokens),
    cut,
  };
}
