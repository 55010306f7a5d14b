import { crossEntropy, embedding, type Variable } from '@proj/autograd';
import { DTypeError, type Generator, ShapeError, type Tensor } from '@proj/tensor';
import { KVCache } from '../attention/kv-cache.js';
import { definedEntries } from '../defined-entries.js';
import * as init from '../init.js';
import { Dropout } from '../layers/activation.js';
import { Embedding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { LayerNorm } from '../layers/norm.js';
import { TransformerBlock } from '../layers/transformer-block.js';
import { Module, Parameter } from '../module.js';
import { LearnedPositionalEmbedding } from '../positional/learned.js';
import { paddedBatch } from './attention-mask.js';
import {
  IGNORE_INDEX,
  type LanguageModel,
  type LanguageModelForwardOptions,
  type LanguageModelOutput,
} from './language-model.js';

/** The shape of a {@link GPT}, as nanoGPT's `GPTConfig`; every field has a default. */
export interface GPTConfig {
  /** Tokens in the vocabulary. Default 50304: GPT-2's 50257 padded up to a multiple of 64. */
  vocabSize: number;
  /** Longest context the model attends over (positions learned). Default 1024. */
  blockSize: number;
  /** Transformer blocks. Default 12. */
  nLayer: number;
  /** Attention heads per block; must divide `nEmbd`. Default 12. */
  nHead: number;
  /** Width of the residual stream. Default 768. */
  nEmbd: number;
  /** Dropout after the embeddings, on attention weights and on both residual branches. Default 0. */
  dropout: number;
  /** Biases in Linears and LayerNorms, like GPT-2. Default true (false is a bit better and faster). */
  bias: boolean;
  /** GELU form: exact `'none'` (nanoGPT's `nn.GELU()`, default) or `'tanh'` (GPT-2's checkpoints). */
  geluApproximate: 'none' | 'tanh';
  /** Epsilon of every LayerNorm (GPT-2's `layer_norm_epsilon`). Default 1e-5. */
  layerNormEps: number;
  /**
   * The output head shares the token embedding's weight (nanoGPT, GPT-2). Default true; false gives
   * `lm_head` its own weight, as Hugging Face's `tie_word_embeddings: false`.
   */
  tieWordEmbeddings: boolean;
}

/** nanoGPT's defaults (GPT-2 124M with a padded vocabulary). */
export const GPT_DEFAULTS: Readonly<GPTConfig> = Object.freeze({
  vocabSize: 50304,
  blockSize: 1024,
  nLayer: 12,
  nHead: 12,
  nEmbd: 768,
  dropout: 0,
  bias: true,
  geluApproximate: 'none',
  layerNormEps: 1e-5,
  tieWordEmbeddings: true,
});

/** Construction options of {@link GPT} that are not part of its config. */
export interface GPTOptions {
  /** Source of the initial weights and of dropout masks (default: the one set by `manualSeed`). */
  generator?: Generator;
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
}

/** Per-call options of {@link GPTTransformer.forward}. */
export interface GPTTransformerForwardOptions {
  /** Decoding state: the ids continue after the cached positions, which it then holds too. */
  cache?: KVCache;
  /** `[B, past + T]`, 1/true a real token: left-padded rows (see `LanguageModelForwardOptions`). */
  attentionMask?: Tensor;
  /**
   * Receives each block's attention probabilities `[B, nHead, T, S]` (S counts cached positions),
   * in layer order, for inspection: see `AttentionForwardOptions.onWeights`.
   */
  onAttentionWeights?: (layer: number, weights: Tensor) => void;
}

/** Per-call options of {@link GPT.forward}. */
export interface GPTForwardOptions
  extends LanguageModelForwardOptions<KVCache>,
    GPTTransformerForwardOptions {}

/**
 * nanoGPT's `transformer` ModuleDict — token and position embeddings, the blocks and the final
 * norm — as a module with its own forward, so that heads other than the language-model head (a
 * reward model's `score`) sit on the same trunk under Hugging Face's names (`transformer.h.0…`).
 */
export class GPTTransformer extends Module {
  wte: Embedding;
  wpe: LearnedPositionalEmbedding;
  drop: Dropout;
  h: TransformerBlock[];
  ln_f: LayerNorm;

  constructor(c: GPTConfig, options: GPTOptions = {}) {
    super();
    const { dtype, generator } = options;
    this.wte = new Embedding(c.vocabSize, c.nEmbd, options);
    this.wpe = new LearnedPositionalEmbedding(c.blockSize, c.nEmbd, options);
    this.drop = new Dropout(c.dropout, generator);
    this.h = Array.from(
      { length: c.nLayer },
      () =>
        new TransformerBlock(c.nEmbd, c.nHead, {
          dtype,
          generator,
          bias: c.bias,
          dropout: c.dropout,
          causal: true,
          approximate: c.geluApproximate,
          eps: c.layerNormEps,
        }),
    );
    this.ln_f = new LayerNorm(c.nEmbd, { dtype, bias: c.bias, eps: c.layerNormEps });
  }

  /**
   * The final-norm hidden states of int32 `ids` `[B, T]`: `[B, T, nEmbd]`. With a `cache` the ids
   * continue after the cached positions, which it then holds too; an `attentionMask` runs
   * left-padded rows, each position counting its row's real tokens.
   * @throws RangeError when the positions run past the position table; ShapeError/DTypeError for bad ids or mask.
   */
  forward(ids: Tensor, options: GPTTransformerForwardOptions = {}): Variable {
    if (ids.dtype !== 'int32') throw new DTypeError(`GPT.forward: ids must be int32, got ${ids.dtype}`);
    if (ids.ndim !== 2)
      throw new ShapeError(`GPT.forward: ids must be [B, T], got [${ids.shape.join(', ')}]`);
    const [b, t] = ids.shape as [number, number];
    const { cache, attentionMask, onAttentionWeights } = options;
    const start = cache?.length ?? 0;
    const blockSize = this.wpe.weight.shape[0]!;
    if (start + t > blockSize)
      throw new RangeError(
        `GPT.forward: cannot forward ${t} tokens at position ${start}, block size is only ${blockSize}`,
      );
    const padded = attentionMask ? paddedBatch('GPT.forward', attentionMask, b, start, t) : null;
    const tokEmb = this.wte.forward(ids); // token embeddings of shape (b, t, n_embd)
    // position embeddings of shape (t, n_embd), or (b, t, n_embd) counting each row's real tokens
    const posEmb = padded ? embedding(this.wpe.weight, padded.positions) : this.wpe.forward(t, start);
    let x = this.drop.forward(tokEmb.add(posEmb));
    this.h.forEach((block, i) => {
      const onWeights = onAttentionWeights && ((w: Tensor) => onAttentionWeights(i, w));
      x = block.forward(x, { cache: cache?.layers[i], mask: padded?.mask, onWeights });
    });
    return this.ln_f.forward(x);
  }
}

/**
 * A decoder-only transformer language model, nanoGPT's `GPT`: token and position embeddings, `nLayer`
 * pre-norm causal {@link TransformerBlock}s, a final LayerNorm and an output head tied to the token
 * embedding (unless `tieWordEmbeddings: false`). Parameter names match nanoGPT (`transformer.h.0.attn.c_attn.weight`, …, `lm_head.weight`).
 *
 * Shapes: int32 `ids` `[B, T]` (T ≤ blockSize) → `logits` `[B, T, vocabSize]`.
 * @example
 * const model = new GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, bias: false });
 * const { logits, loss } = model.forward(ids, targets); loss!.backward();
 */
export class GPT extends Module implements LanguageModel<KVCache> {
  readonly config: Readonly<GPTConfig>;
  transformer: GPTTransformer;
  lm_head: Linear;
  /**
   * `forward` keeps nothing it allocates but the KV cache's buffers (see
   * {@link LanguageModel.transientForward}); a subclass whose forward keeps arrays sets it false.
   */
  readonly transientForward: boolean = true;

  constructor(config: Partial<GPTConfig> = {}, options: GPTOptions = {}) {
    super();
    const c = { ...GPT_DEFAULTS, ...definedEntries(config) };
    for (const key of ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const) {
      if (!(Number.isInteger(c[key]) && c[key] > 0))
        throw new RangeError(`GPT: config.${key} must be a positive integer, got ${c[key]}`);
    }
    if (c.nEmbd % c.nHead !== 0)
      throw new RangeError(`GPT: nEmbd ${c.nEmbd} is not divisible by nHead ${c.nHead}`);
    if (!(c.layerNormEps > 0))
      throw new RangeError(`GPT: config.layerNormEps must be positive, got ${c.layerNormEps}`);
    this.config = Object.freeze(c);
    this.transformer = new GPTTransformer(c, options);
    this.lm_head = new Linear(c.nEmbd, c.vocabSize, { ...options, bias: false });
    // weight tying (https://paperswithcode.com/method/weight-tying)
    if (c.tieWordEmbeddings) this.lm_head.weight = this.transformer.wte.weight;
    this.initWeights(options.generator);
  }

  /**
   * nanoGPT's initialisation: Linear and embedding weights N(0, 0.02²), Linear biases 0, LayerNorms
   * 1 and 0, and the residual projections (`c_proj.weight`) N(0, (0.02/√(2·nLayer))²), per GPT-2.
   *
   * The generator is consumed in nanoGPT's order — the layer constructors' PyTorch default draws
   * (embeddings N(0, 1), Linears kaiming-uniform) in construction order, then `_init_weights` over the
   * modules (the tied `lm_head` redraws the token embedding last), then the `c_proj` weights — so a
   * `'torch'` generator seeded like `torch.manual_seed(s)` gives nanoGPT's initial weights for seed s.
   */
  private initWeights(generator: Generator | undefined): void {
    for (const [, m] of this.namedModules()) {
      if (m instanceof Linear) {
        init.normal(m.weight, { generator, std: 0.02 });
        if (m.bias) init.zeros(m.bias);
      } else if (m instanceof Embedding || m instanceof LearnedPositionalEmbedding) {
        init.normal(m.weight, { generator, std: 0.02 });
      }
    }
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith('c_proj.weight'))
        init.normal(p, { generator, std: 0.02 / Math.sqrt(2 * this.config.nLayer) });
    }
  }

  /**
   * Parameters, counted as nanoGPT's `get_num_params()`: by default (`nonEmbedding: true`) without
   * the position embeddings; the token embeddings stay in, as they are also the output head.
   */
  override numParameters(options: { nonEmbedding?: boolean } = {}): number {
    const total = super.numParameters();
    return (options.nonEmbedding ?? true) ? total - this.transformer.wpe.weight.size : total;
  }

  /**
   * Next-token logits for int32 `ids` `[B, T]`, and with int32 `targets` `[B, T]` the mean
   * cross-entropy over targets that are not {@link IGNORE_INDEX}. With a `cache` (from
   * {@link createCache}) the ids continue after the cached positions; `logitsToKeep` computes the
   * head for the last positions only (logits `[B, logitsToKeep, V]`); `attentionMask` `[B, past + T]`
   * runs left-padded rows (see {@link LanguageModelForwardOptions}); `onAttentionWeights` sees
   * every block's attention probabilities.
   * @throws RangeError when the positions run past `blockSize`, for a bad `logitsToKeep` or one
   * combined with targets; ShapeError/DTypeError for bad ids or mask.
   */
  forward(ids: Tensor, targets?: Tensor | null, options: GPTForwardOptions = {}): LanguageModelOutput {
    const t = ids.shape[1] ?? 0;
    const { logitsToKeep = 0 } = options;
    if (!(Number.isInteger(logitsToKeep) && logitsToKeep >= 0))
      throw new RangeError(`GPT.forward: logitsToKeep must be a non-negative integer, got ${logitsToKeep}`);
    const keep = logitsToKeep === 0 ? t : Math.min(logitsToKeep, t);
    if (targets && keep < t)
      throw new RangeError(
        'GPT.forward: logitsToKeep cannot be combined with targets (the loss needs every position)',
      );
    const x = this.transformer.forward(ids, options); // (b, t, n_embd)
    // the head, often the largest product, runs on the kept rows only: (b, keep, vocab_size)
    const logits = this.lm_head.forward(keep < t ? x.narrow(1, t - keep, keep) : x);
    if (!targets) return { logits, hidden: x };
    if (targets.ndim !== 2 || targets.shape[0] !== ids.shape[0] || targets.shape[1] !== t)
      throw new ShapeError(
        `GPT.forward: targets [${targets.shape.join(', ')}] must match ids [${ids.shape.join(', ')}]`,
      );
    const flat = logits.view([-1, this.config.vocabSize]); // (b*t, vocab_size)
    const loss = crossEntropy(flat, targets.reshape([-1]), { ignoreIndex: IGNORE_INDEX }); // targets (b*t)
    return { logits, loss, hidden: x };
  }

  /** A KV cache for incremental decoding of up to `blockSize` positions (buffers sized on first use). */
  createCache(): KVCache {
    return new KVCache(this.config.nLayer, this.config.blockSize);
  }

  /**
   * Model surgery, as nanoGPT's `crop_block_size`: keeps the first `blockSize` position embeddings,
   * e.g. to use a GPT-2 checkpoint (1024) with a shorter context.
   */
  cropBlockSize(blockSize: number): void {
    if (!(Number.isInteger(blockSize) && blockSize > 0 && blockSize <= this.config.blockSize))
      throw new RangeError(
        `GPT.cropBlockSize: need 0 < blockSize <= ${this.config.blockSize}, got ${blockSize}`,
      );
    const wpe = this.transformer.wpe;
    wpe.weight = new Parameter(wpe.weight.data.narrow(0, 0, blockSize).clone());
    (this as { config: Readonly<GPTConfig> }).config = Object.freeze({ ...this.config, blockSize });
  }
}
