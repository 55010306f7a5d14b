import type { Variable } from '@proj/autograd';
import { ShapeError, type Tensor, tensor } from '@proj/tensor';
import * as init from '../init.js';
import { Linear } from '../layers/linear.js';
import { GPT, type GPTConfig, type GPTOptions, type GPTTransformer } from '../models/gpt.js';
import { Module } from '../module.js';

/** What {@link GPTRewardModel.forward} returns. */
export interface RewardModelOutput {
  /** One reward per sequence, `[B]`: the score head at the sequence's last real token. */
  rewards: Variable;
  /** The score head at every position, `[B, T]`. */
  scores: Variable;
}

/**
 * A GPT trunk with a scalar `score` head, read at the last real token of each sequence — Hugging
 * Face's `GPT2ForSequenceClassification` with one label, the reward model of RLHF. Parameter names
 * are Hugging Face's (`transformer.*`, `score.weight`); `score` has no bias and starts N(0, 0.02²)
 * (`initializer_range`).
 *
 * Shapes: int32 `ids` `[B, T]` (right-padded), `lengths` (real tokens per row) → `rewards` `[B]`.
 * Hugging Face finds the last real token from `pad_token_id`; here the lengths are given, so a pad
 * id that is also the end-of-text token (GPT-2's) cannot shift the position.
 * @example
 * const rm = new GPTRewardModel(pretrained, { generator: new Generator(0) }); // shares its trunk
 * const { rewards } = rm.forward(ids, [7, 5]); // [2]
 */
export class GPTRewardModel extends Module {
  readonly config: Readonly<GPTConfig>;
  transformer: GPTTransformer;
  score: Linear;

  /**
   * @param source - a config (the trunk is built from it, drawing from `options.generator`), or a
   *   {@link GPT} whose trunk the reward model shares — the same parameters, not a copy (copy the
   *   GPT first to keep it as it is). The `score` head is always new, drawn from `options.generator`.
   */
  constructor(source: Partial<GPTConfig> | GPT = {}, options: GPTOptions = {}) {
    super();
    const gpt = source instanceof GPT ? source : new GPT(source, options); // GPT checks the config
    this.config = gpt.config;
    this.transformer = gpt.transformer;
    const dtype = options.dtype ?? (gpt.lm_head.weight.dtype as GPTOptions['dtype']);
    this.score = new Linear(this.config.nEmbd, 1, { ...options, dtype, bias: false });
    init.normal(this.score.weight, { generator: options.generator, std: 0.02 });
  }

  /**
   * Rewards of right-padded sequences: `score(hidden)` at position `lengths[b] − 1` of each row.
   * @param lengths - real tokens per row (default: every row is `T` long).
   * @throws RangeError for a length outside `[1, T]`; ShapeError when there are not `B` lengths.
   */
  forward(ids: Tensor, lengths?: readonly number[]): RewardModelOutput {
    const [B, T] = ids.shape as [number, number];
    const rows = lengths ?? Array.from({ length: B }, () => T);
    if (rows.length !== B)
      throw new ShapeError(`GPTRewardModel.forward: ${rows.length} lengths for ${B} sequences`);
    rows.forEach((n, b) => {
      if (!(Number.isInteger(n) && n >= 1 && n <= T))
        throw new RangeError(`GPTRewardModel.forward: lengths[${b}] is ${n}, outside [1, ${T}]`);
    });
    const scores = this.score.forward(this.transformer.forward(ids)).squeeze(-1); // (b, t)
    const last = tensor(
      rows.map((n) => [n - 1]),
      { dtype: 'int32' },
    ); // (b, 1)
    return { rewards: scores.gather(1, last).squeeze(-1), scores };
  }
}
