import type { GPTConfig, Module } from '@proj/nn';
import {
  type Seq2SeqModel,
  Seq2SeqRNN,
  type Seq2SeqRNNConfig,
  Transformer,
  type TransformerConfig,
} from '@proj/nn';
import type { Generator } from '@proj/tensor';

/**
 * The encoder-decoders a run can train: the four compared on every task, and `lstm-noattn`
 * (Sutskever et al.'s LSTM encoder-decoder), which separates the effect of attention from that of
 * the cell.
 */
export const SEQ2SEQ_KINDS = ['rnn', 'gru', 'lstm', 'transformer', 'lstm-noattn'] as const;

/**
 * Every system a run can train: the encoder-decoders and `gpt`, a decoder-only GPT finetuned on
 * `source <s> target </s>` with the loss on the target (tasks whose two sides share one BPE codec).
 */
export const MODEL_KINDS = [...SEQ2SEQ_KINDS, 'gpt'] as const;

/** The four models a task trains by default. */
export const DEFAULT_MODELS: ModelKind[] = ['rnn', 'gru', 'lstm', 'transformer'];

/** One of {@link MODEL_KINDS}. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/** How each kind is named in tables and charts. */
export const MODEL_LABELS: Record<ModelKind, string> = {
  rnn: 'RNN, no attention',
  gru: 'GRU + attention',
  lstm: 'LSTM + attention',
  transformer: 'Transformer',
  'lstm-noattn': 'LSTM, no attention',
  gpt: 'decoder-only GPT, prompt-masked SFT',
};

/** An encoder-decoder kind with the configuration that builds it. */
export type Seq2SeqSpec =
  | { kind: 'transformer'; config: TransformerConfig }
  | { kind: RecurrentKind; config: Seq2SeqRNNConfig };

/** Any model kind with the configuration that builds it (what `config.json` holds). */
export type ModelSpec = Seq2SeqSpec | { kind: 'gpt'; config: GPTConfig };

/** The recurrent kinds. */
type RecurrentKind = Exclude<(typeof SEQ2SEQ_KINDS)[number], 'transformer'>;

/** A sequence-to-sequence model with its parameters. */
export type AnyModel = Seq2SeqModel & Module;

/** Sizes shared by every model of a run. */
export interface ModelSizes {
  srcVocabSize: number;
  tgtVocabSize: number;
  padId: number;
  /** Transformer width; its parameter count is the one the recurrent models match. */
  dModel: number;
  /** Transformer layers on each side. */
  layers: number;
  /** Attention heads of the Transformer. */
  nHead: number;
  dropout: number;
  /** Longest source or target (position tables, decoding caches). */
  maxLength: number;
}

/** The Transformer of a run: post-norm, as `nn.Transformer`, feed-forward 4 × dModel, ReLU, sinusoidal positions. */
export function transformerSpec(s: ModelSizes): Seq2SeqSpec {
  return {
    kind: 'transformer',
    config: {
      srcVocabSize: s.srcVocabSize,
      tgtVocabSize: s.tgtVocabSize,
      padId: s.padId,
      dModel: s.dModel,
      nHead: s.nHead,
      numEncoderLayers: s.layers,
      numDecoderLayers: s.layers,
      dimFeedforward: 4 * s.dModel,
      dropout: s.dropout,
      maxLength: s.maxLength,
    },
  };
}

/**
 * A one-layer recurrent encoder-decoder of `hiddenSize`: Elman without attention, GRU/LSTM with
 * Luong dot attention, or an LSTM without attention.
 */
function recurrentSpec(kind: RecurrentKind, s: ModelSizes, hiddenSize: number): Seq2SeqSpec {
  return {
    kind,
    config: {
      srcVocabSize: s.srcVocabSize,
      tgtVocabSize: s.tgtVocabSize,
      padId: s.padId,
      hiddenSize,
      cell: kind === 'lstm-noattn' ? 'lstm' : kind,
      attention: kind === 'rnn' || kind === 'lstm-noattn' ? 'none' : 'dot',
      dropout: s.dropout,
    },
  };
}

/** Builds the model a spec describes. */
export function buildModel(spec: Seq2SeqSpec, generator?: Generator): AnyModel {
  return spec.kind === 'transformer'
    ? new Transformer(spec.config, { generator })
    : new Seq2SeqRNN(spec.config, { generator });
}

/**
 * The specs of `kinds` at matched parameter counts: the Transformer's size comes from `sizes`, and
 * each recurrent model gets the hidden size whose parameter count is closest to the Transformer's.
 */
export function matchedSpecs(kinds: readonly Seq2SeqSpec['kind'][], sizes: ModelSizes): Seq2SeqSpec[] {
  const target = transformerParameters(sizes);
  return kinds.map((kind) => {
    if (kind === 'transformer') return transformerSpec(sizes);
    const best = closestSize(target, (h) => buildModel(recurrentSpec(kind, sizes, h)).numParameters());
    return recurrentSpec(kind, sizes, best);
  });
}

/** Parameters of the run's Transformer, the count every other model is matched to. */
export function transformerParameters(sizes: ModelSizes): number {
  return buildModel(transformerSpec(sizes)).numParameters();
}

/**
 * The size `n` in `[1, 4096]` whose `count(n)` (increasing in `n`) is closest to `target`: doubling
 * until the count reaches the target, then binary search (so no model far larger than the target
 * is ever built).
 */
export function closestSize(target: number, count: (n: number) => number): number {
  let hi = 1;
  while (hi < 4096 && count(hi) < target) hi *= 2;
  let lo = Math.max(1, hi / 2);
  hi = Math.min(hi, 4096);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (count(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo > 1 && target - count(lo - 1) < count(lo) - target ? lo - 1 : lo;
}
