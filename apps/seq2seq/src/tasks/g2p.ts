import { cmudict, ErrorRateCounter, stripStress } from 'demo-data';
import { SymbolCodec } from '../codec.js';
import type { Example, TaskData } from './task.js';

/** Sizes of a grapheme-to-phoneme run. */
export interface G2pSizes {
  /** Training words used (default: all of the train split). */
  trainSize?: number;
  /** Validation words for the learning curves. */
  validSize: number;
  /** Test words scored (default: all of the test split). */
  testSize?: number;
}

/** Longest spelling the models take (CMUdict's longest word has 28 letters). */
const MAX_WORD = 32;

/**
 * Grapheme-to-phoneme on CMUdict's shared split (demo-data's `cmudict()`): letters in, ARPAbet
 * phonemes with stress out, trained on each word's first pronunciation; any listed pronunciation
 * counts as correct. Scores WER and PER, with and without stress digits.
 */
export function g2pTask(sizes: G2pSizes): TaskData {
  const splits = cmudict();
  const toExample = (e: { word: string; pronunciations: string[] }): Example => ({
    source: e.word,
    references: e.pronunciations,
  });
  const train = splits.train.slice(0, sizes.trainSize).map(toExample);
  const valid = splits.valid.slice(0, sizes.validSize).map(toExample);
  const test = splits.test.slice(0, sizes.testSize).map(toExample);
  // The letter inventory is a property of the alphabet: read it from every split's spellings.
  const all = [...splits.train, ...splits.valid, ...splits.test];
  const source = SymbolCodec.fromTexts(
    'chars',
    all.map((e) => e.word),
  );
  const target = SymbolCodec.fromTexts(
    'spaces',
    train.map((e) => e.references[0]!),
  );
  const phonemes = (text: string) => text.split(' ').filter(Boolean);
  return {
    name: 'g2p',
    title: 'Grapheme-to-phoneme on CMUdict (letters → ARPAbet with stress)',
    source,
    target,
    train,
    valid,
    tests: [{ name: 'test', examples: test }],
    maxSourceLength: MAX_WORD,
    truncateSource: false,
    maxOutput: { perSourceToken: 1, extra: 8 },
    score: (examples, outputs) => {
      const stressed = new ErrorRateCounter();
      const unstressed = new ErrorRateCounter();
      examples.forEach((e, i) => {
        stressed.add(phonemes(outputs[i]!), e.references.map(phonemes));
        unstressed.add(
          phonemes(stripStress(outputs[i]!)),
          e.references.map((r) => phonemes(stripStress(r))),
        );
      });
      const a = stressed.rates();
      const b = unstressed.rates();
      return { WER: a.wer, PER: a.per, 'WER no stress': b.wer, 'PER no stress': b.per };
    },
    headline: { metric: 'WER', higherIsBetter: false },
    lengthOf: {
      unit: 'word length (letters)',
      of: (e) => e.source.length,
      correct: (e, output) => e.references.includes(output),
    },
    notes: [
      `CMUdict (npm cmu-pronouncing-dictionary v3), demo-data's hash split: ${splits.train.length} / ${splits.valid.length} / ${splits.test.length} words; ${train.length} trained on, ${valid.length} for validation curves, ${test.length} tested.`,
      'Trained on the first pronunciation of each word; a test word is right if the output equals any of its pronunciations. Stress digits are part of the phonemes (69 symbols); "no stress" scores strip them from outputs and references (39 phonemes).',
    ],
  };
}
