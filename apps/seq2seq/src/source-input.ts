import type { Codec } from './codec.js';
import { InputError } from './input-error.js';

/** What a task says about its sources. */
interface SourceLimits {
  maxSourceLength: number;
  truncateSource: boolean;
}

/**
 * The ids of a source text within the task's limit: a longer source is cut (tasks over long
 * documents) or refused. With `onTooLong: 'cut'` a refused source gives undefined (the data
 * pipeline skips it); with `'throw'` it is an InputError that says the limit.
 * @throws InputError for text outside the codec's vocabulary, empty text, or (with `'throw'`) too long text.
 */
export function encodeSource(
  limits: SourceLimits,
  codec: Codec,
  text: string,
  onTooLong: 'cut' | 'throw',
): number[] | undefined {
  const ids = codec.encode(text);
  if (ids.length <= limits.maxSourceLength) return ids;
  if (limits.truncateSource) return ids.slice(0, limits.maxSourceLength);
  if (onTooLong === 'cut') return undefined;
  throw new InputError(
    `the input has ${ids.length} tokens; this model takes at most ${limits.maxSourceLength}`,
  );
}
