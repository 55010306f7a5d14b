/** A prompt and one sampled completion, as text and as ids, for a {@link RewardFunction}. */
export interface ScoredCompletion {
  prompt: string;
  /** The completion's text (without the stop token that ended it). */
  completion: string;
  promptIds: readonly number[];
  /** The completion's ids (with the stop token that ended it, if one did). */
  completionIds: readonly number[];
}

/**
 * Scores completions, one number each (higher is better): the stand-in for human raters. A lexicon
 * scorer, a classifier, a trained reward model ({@link rewardModelFunction}) or any function of the
 * text fits; it may be async.
 */
export type RewardFunction = (
  completions: readonly ScoredCompletion[],
) => readonly number[] | Promise<readonly number[]>;

/** Thrown when a reward function returns something other than one finite number per completion. */
export class RewardError extends Error {
  override name = 'RewardError';
}

/**
 * Runs `reward` on `completions` and checks what it returns.
 * @throws RewardError naming the completion whose score is not a finite number, or a wrong count.
 */
export async function scoreCompletions(
  reward: RewardFunction,
  completions: readonly ScoredCompletion[],
): Promise<number[]> {
  const scores = await reward(completions);
  if (!Array.isArray(scores) || scores.length !== completions.length)
    throw new RewardError(
      `the reward function returned ${Array.isArray(scores) ? `${scores.length} scores` : String(scores)} for ${completions.length} completions`,
    );
  scores.forEach((score, i) => {
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      const c = completions[i]!;
      throw new RewardError(
        `the reward function returned ${String(score)} for completion ${i} (prompt ${JSON.stringify(c.prompt)}, completion ${JSON.stringify(c.completion)})`,
      );
    }
  });
  return [...scores];
}
