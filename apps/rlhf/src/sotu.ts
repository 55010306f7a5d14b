import type { BPETokenizer } from '@proj/tokenizers';
import { TokenDataset } from '@proj/train';
import { sotuText } from 'demo-data';

/** SOTU's validation split as `proj train` made it (the last 10% of the tokens): the ids, and its sentences. */
export interface HeldOut {
  /** For the language-model loss of a policy (fluency kept). */
  val: TokenDataset;
  /**
   * The sentences of the split with 12 words or more, in order (the addresses of the package have
   * no paragraph breaks, so a held-out passage starts at a sentence).
   */
  sentences: string[];
}

/** The held-out part of SOTU under `tokenizer` (the base run's). */
export function heldOut(tokenizer: BPETokenizer): HeldOut {
  const ids = tokenizer.encode(sotuText());
  const { val } = new TokenDataset(Int32Array.from(ids)).split(0.9);
  const sentences = tokenizer
    .decode(val.ids)
    .split(/(?<=[.?!])\s+(?=[A-Z])/)
    .map((p) => p.trim())
    .filter((p) => p.split(/\s+/).length >= 12);
  return { val, sentences: sentences.slice(1) }; // the first starts mid-sentence
}
