export { type AttentionWeightsOptions, attentionWeights } from './attention/attention-weights.js';
export { AttentionCache, KVCache } from './attention/kv-cache.js';
export {
  type AttentionForwardOptions,
  MultiHeadAttention,
  type MultiHeadAttentionOptions,
} from './attention/multi-head-attention.js';
export { type LoadGPT2Options, loadGPT2, type SaveGPT2Options, saveGPT2 } from './checkpoints/gpt2.js';
export {
  type GPT2ConfigExportOptions,
  type GPT2ConfigImport,
  gpt2ConfigFromHuggingFace,
  gpt2ConfigToHuggingFace,
  HuggingFaceConfigError,
  type HuggingFaceGPT2Config,
} from './checkpoints/gpt2-config.js';
export {
  type GPT2Pretrained,
  type GPT2PretrainedFiles,
  loadGPT2Pretrained,
} from './checkpoints/gpt2-pretrained.js';
export {
  type GenerateOptions,
  type GenerateOutput,
  type GenerateSequencesOptions,
  generate,
  generateSequences,
} from './generation/generate.js';
export {
  nextTokenProbabilities,
  type SamplingOptions,
  sampleNext,
  topKFilter,
  topPFilter,
} from './generation/sampling.js';
export { GPTRewardModel, type RewardModelOutput } from './heads/gpt-reward-model.js';
export { GPTWithValueHead, type ValueHeadOutput } from './heads/gpt-with-value-head.js';
export { ValueHead } from './heads/value-head.js';
export {
  type PackedWeights,
  type PackWeightsOptions,
  packedWeightsOf,
  packWeights,
  withPackedWeights,
} from './inference/packed-weights.js';
export * as init from './init.js';
export { Dropout, GELU, type Layer, ReLU, Sequential, SiLU, Tanh } from './layers/activation.js';
export { BatchNorm2d, type BatchNormLayerOptions } from './layers/batch-norm.js';
export { Conv2d, type Conv2dLayerOptions } from './layers/conv.js';
export { Embedding } from './layers/embedding.js';
export { Flatten } from './layers/flatten.js';
export { type LayerOptions, Linear, type LinearOptions } from './layers/linear.js';
export { MLP, type MLPOptions } from './layers/mlp.js';
export { LayerNorm, type NormOptions, RMSNorm } from './layers/norm.js';
export { AvgPool2d, MaxPool2d } from './layers/pooling.js';
export {
  type BlockForwardOptions,
  TransformerBlock,
  type TransformerBlockOptions,
} from './layers/transformer-block.js';
export {
  applyLoRA,
  type LoRABias,
  type LoRAConfig,
  loraConfigOf,
  loraLayers,
  type ResolvedLoRAConfig,
  unloadLoRA,
} from './lora/apply-lora.js';
export { type LoRALayerOptions, LoRALinear } from './lora/lora-linear.js';
export {
  mergeAndUnloadLoRA,
  mergeLoRA,
  setAdaptersEnabled,
  unmergeLoRA,
  withAdaptersDisabled,
} from './lora/merge.js';
export {
  type LoadLoRAAdapterOptions,
  type LoRAAdapterFiles,
  loadLoRAAdapter,
  type SaveLoRAAdapterOptions,
  saveLoRAAdapter,
} from './lora/peft-adapter.js';
export type { PeftLoRAConfig } from './lora/peft-config.js';
export { type ModulePattern, matchesModulePattern } from './lora/target-modules.js';
export { type TrainableParameters, trainableParameters } from './lora/trainable-parameters.js';
export {
  GPT,
  GPT_DEFAULTS,
  type GPTConfig,
  type GPTForwardOptions,
  type GPTOptions,
  GPTTransformer,
  type GPTTransformerForwardOptions,
} from './models/gpt.js';
export {
  IGNORE_INDEX,
  type LanguageModel,
  type LanguageModelCache,
  type LanguageModelForwardOptions,
  type LanguageModelOutput,
} from './models/language-model.js';
export { Buffer, type LoadStateDictOptions, Module, Parameter, StateDictError } from './module.js';
export { ModuleDict, ModuleList } from './module-containers.js';
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
export {
  type BeamSearchOptions,
  type BeamSearchResult,
  beamSearch,
  type DecodeOptions,
  type DecodeResult,
  greedyDecode,
  type Hypothesis,
} from './seq2seq/decoding.js';
export type {
  DecodeStepOptions,
  Seq2SeqLossOptions,
  Seq2SeqModel,
  Seq2SeqState,
  Seq2SeqStep,
} from './seq2seq/seq2seq-model.js';
export { Seq2SeqRNN, type Seq2SeqRNNConfig, Seq2SeqRNNState } from './seq2seq/seq2seq-rnn.js';
export {
  AdditiveAttention,
  DotProductAttention,
  type SourceAttention,
  type SourceAttentionOutput,
} from './seq2seq/source-attention.js';
export { fromTorchTransformerStateDict, toTorchTransformerStateDict } from './seq2seq/torch-names.js';
export { Transformer, type TransformerConfig, TransformerState } from './seq2seq/transformer.js';
export {
  type DecoderLayerCache,
  type DecoderLayerForwardOptions,
  type EncoderLayerForwardOptions,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
  type TransformerLayerOptions,
} from './seq2seq/transformer-layers.js';
export {
  type DecoderForwardOptions,
  TransformerDecoder,
  TransformerEncoder,
  type TransformerStackOptions,
} from './seq2seq/transformer-stacks.js';
export { loadModule, saveModule } from './serialization.js';
export { PatchEmbedding } from './vision/patch-embedding.js';
export { ViT, type ViTConfig } from './vision/vit.js';
