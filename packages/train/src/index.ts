export {
  type Checkpoint,
  type CreateCheckpointOptions,
  createCheckpoint,
  createCheckpointAsync,
  type RestoreCheckpointOptions,
  restoreCheckpoint,
  type StatefulModule,
  type StatefulOptimizer,
} from './checkpoint/checkpoint.js';
export { CheckpointError } from './checkpoint/errors.js';
export {
  CHECKPOINT_FILES,
  CHECKPOINT_POINTER,
  checkpointPointerText,
  parseCheckpointPointer,
} from './checkpoint/layout.js';
export { optimizerFromSafetensors, optimizerToSafetensors } from './checkpoint/optimizer-io.js';
export {
  CHECKPOINT_VERSION,
  type CheckpointState,
  digest,
  type FileDigest,
  parseCheckpointState,
  serializeCheckpointState,
} from './checkpoint/state.js';
export { verifyCheckpoint } from './checkpoint/verify.js';
export type { BatchSource } from './data/batch-source.js';
export {
  type ChatMessage,
  type ChatMLOptions,
  type ChatTemplate,
  chatML,
  type TextSpan,
} from './data/chat-template.js';
export {
  promptForGeneration,
  SFTDataset,
  type SFTDatasetOptions,
  type SFTDatasetStats,
  type SFTTokenizer,
} from './data/sft-dataset.js';
export {
  type ChatExample,
  checkSFTExample,
  DatasetError,
  type PromptCompletion,
  parseSFTJsonl,
  type SFTExample,
} from './data/sft-examples.js';
export { type Batch, type TokenArray, TokenDataset } from './data/token-dataset.js';
export { type Divergence, TrainingDivergedError } from './loop/diverged.js';
export {
  type EstimateLossOptions,
  estimateLoss,
  estimateObjective,
  estimateObjectiveAsync,
} from './loop/evaluate.js';
export type {
  CheckpointEvent,
  EvalEvent,
  LossHistory,
  SkipEvent,
  StepEvent,
  TrainEvent,
  TrainResult,
} from './loop/events.js';
export { type FinetuneOptions, finetune, finetuneEvents } from './loop/finetune.js';
export { type MetricValue, type MetricValues, metricNumbers, readMetrics } from './loop/metric-values.js';
export type { TrainableLM, TrainableModule } from './loop/model.js';
export type {
  Evaluate,
  Evaluation,
  Metrics,
  Objective,
  ObjectiveOutput,
  Update,
  UpdateContext,
  UpdateResult,
} from './loop/objective.js';
export { type PretrainOptions, pretrain, pretrainEvents } from './loop/pretrain.js';
export {
  type OptimizerLike,
  runEvents,
  type TrainLoopOptions,
  type TrainProgress,
  trainLoopEvents,
} from './loop/train-loop.js';
export { Adam, type AdamOptions, AdamW } from './optim/adam.js';
export {
  type ClipGradNormOptions,
  clipGradNorm,
  clipGradNormAsync,
  gradNorm,
  gradNormAsync,
} from './optim/clip.js';
export {
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type Slot,
} from './optim/optimizer.js';
export { type DecayGroups, decayParamGroups } from './optim/param-groups.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export {
  type GAEOptions,
  gae,
  groupAdvantages,
  type KLPenalty,
  type TokenRewardsOptions,
  tokenRewards,
} from './rlhf/advantages.js';
export {
  type DPOOptions,
  dpo,
  dpoEvents,
  dpoObjective,
  type PrecomputeReferenceOptions,
  precomputeReferenceLogps,
  precomputeReferenceLogpsAsync,
  sequenceLogps,
} from './rlhf/dpo.js';
export { type GRPOOptions, grpo, grpoEvents, grpoUpdate } from './rlhf/grpo.js';
export {
  type GRPOAggregation,
  type GRPOLossInputs,
  type GRPOLossOptions,
  grpoLoss,
} from './rlhf/grpo-loss.js';
export { AdaptiveKLController, FixedKLController, type KLController, klEstimate } from './rlhf/kl.js';
export { type LogitsProcessing, tokenEntropy, tokenLogprobs } from './rlhf/logprobs.js';
export { logSigmoid, maskedMean, maskedVariance, whiten } from './rlhf/masked.js';
export {
  miniBatches,
  optimizeOnRollout,
  type RolloutMiniBatch,
  type RolloutOptimization,
} from './rlhf/mini-batches.js';
export { type PPOOptions, ppo, ppoEvents, ppoUpdate, scoreStats } from './rlhf/ppo.js';
export { type PPOLossInputs, type PPOLossOptions, ppoLoss } from './rlhf/ppo-loss.js';
export {
  type PreferenceBatch,
  PreferenceDataset,
  type PreferenceDatasetOptions,
  type ReferenceLogps,
} from './rlhf/preference-dataset.js';
export {
  checkPreferenceExample,
  type PreferenceExample,
  parsePreferenceJsonl,
  preferencePair,
} from './rlhf/preference-examples.js';
export {
  type BradleyTerryOptions,
  bradleyTerryLoss,
  type DPOLossOptions,
  dpoLoss,
  type PairLogps,
} from './rlhf/preference-losses.js';
export { type PromptBatch, PromptDataset } from './rlhf/prompt-dataset.js';
export {
  RewardError,
  type RewardFunction,
  type ScoredCompletion,
  scoreCompletions,
} from './rlhf/reward-function.js';
export {
  type RewardModelOptions,
  rewardModelEvents,
  rewardModelFunction,
  rewardModelObjective,
  trainRewardModel,
} from './rlhf/reward-trainer.js';
export {
  klStats,
  type LanguageModelEval,
  type RLEvaluationOptions,
  rlEvaluation,
} from './rlhf/rl-evaluation.js';
export { type RLTrainerOptions, rlTrainerEvents } from './rlhf/rl-trainer.js';
export {
  checkReference,
  type GenerationOptions,
  type PolicyModel,
  type ReferenceModel,
  type Rollout,
  type RolloutOptions,
  referenceLogprobs,
  rollout,
  type SequenceScores,
  sampleCompletions,
  scoreSequences,
} from './rlhf/rollout.js';
export {
  type SequenceBatch,
  selectRows,
  selectTensorRows,
  sequenceBatch,
  spanSequenceBatch,
} from './rlhf/sequences.js';
export {
  type CosineWithWarmupOptions,
  constantLR,
  cosineDecay,
  cosineWithWarmup,
  type DecayOptions,
  type LRSchedule,
  linearDecay,
  sequential,
  warmup,
} from './schedule/lr-schedule.js';
