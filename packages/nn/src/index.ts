export { AttentionCache, KVCache } from './attention/kv-cache.js';
export {
  type AttentionForwardOptions,
  MultiHeadAttention,
  type MultiHeadAttentionOptions,
} from './attention/multi-head-attention.js';
export { type LoadGPT2Options, loadGPT2, type SaveGPT2Options, saveGPT2 } from './checkpoints/gpt2.js';
export { type GenerateOptions, generate } from './generation/generate.js';
export {
  nextTokenProbabilities,
  type SamplingOptions,
  sampleNext,
  topKFilter,
  topPFilter,
} from './generation/sampling.js';
export * as init from './init.js';
export { Dropout, GELU, type Layer, ReLU, Sequential, SiLU, Tanh } from './layers/activation.js';
export { Embedding } from './layers/embedding.js';
export { type LayerOptions, Linear } from './layers/linear.js';
export { MLP, type MLPOptions } from './layers/mlp.js';
export { LayerNorm, type NormOptions, RMSNorm } from './layers/norm.js';
export {
  type BlockForwardOptions,
  TransformerBlock,
  type TransformerBlockOptions,
} from './layers/transformer-block.js';
export { GPT, GPT_DEFAULTS, type GPTConfig, type GPTOptions } from './models/gpt.js';
export {
  IGNORE_INDEX,
  type LanguageModel,
  type LanguageModelCache,
  type LanguageModelForwardOptions,
  type LanguageModelOutput,
} from './models/language-model.js';
export { type LoadStateDictOptions, Module, Parameter, StateDictError } from './module.js';
export { LearnedPositionalEmbedding } from './positional/learned.js';
export { RotaryEmbedding, type RotaryOptions } from './positional/rotary.js';
export {
  type SinusoidalOptions,
  SinusoidalPositionalEncoding,
  sinusoidalEncoding,
} from './positional/sinusoidal.js';
export {
  type CellOptions,
  GRUCell,
  LSTMCell,
  type LSTMCellState,
  RNNCell,
} from './rnn/cells.js';
export type { SequenceLengthOptions } from './rnn/lengths.js';
export { GRU, LSTM, type LSTMOutput, type LSTMState, RNN, type RNNOutput } from './rnn/rnn.js';
export {
  RNNBase,
  type RNNForwardOptions,
  type RNNOptions,
  type RNNWeights,
} from './rnn/rnn-base.js';
export { loadModule, saveModule } from './serialization.js';
