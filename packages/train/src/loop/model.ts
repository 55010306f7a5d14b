import type { Variable } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';

/** What the training loop needs from any model: its trainable parameters and train/eval modes. */
export interface TrainableModule {
  /** The parameters (the optimizer's, or more: gradient norms are taken over these). */
  parameters(): Variable[];
  /** Training mode (dropout on). */
  train(mode?: boolean): unknown;
  /** Evaluation mode (dropout off). */
  eval(): unknown;
  /** Whether the model is in training mode. */
  training: boolean;
}

/**
 * What the training loops need from a language model: `forward(ids, targets)` returning the
 * logits and, given targets, the mean cross-entropy loss (nanoGPT's `model(X, Y)`), its trainable
 * parameters, and train/eval modes. `GPT` from `@proj/nn` (and any `Module` shaped like it) fits.
 */
export interface TrainableLM extends TrainableModule {
  /**
   * @param ids int32 `[B, T]` input ids.
   * @param targets int32 `[B, T]` next-token ids.
   * @returns `logits` `[B, T, vocab]` and `loss` (a scalar) when targets are given.
   */
  forward(ids: Tensor, targets?: Tensor): { logits: Variable; loss?: Variable | null };
}

/** Runs the model on a batch and returns its loss. @throws Error when the model returns no loss. */
export function lossOf(model: TrainableLM, x: Tensor, y: Tensor): Variable {
  const { loss } = model.forward(x, y);
  if (!loss) throw new Error('train loop: model.forward(ids, targets) returned no loss');
  return loss;
}
