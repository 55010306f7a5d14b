import { ErrorRateCounter, type NumberLanguage, numberTokens, numberWords } from 'demo-data';
import { SymbolCodec } from '../codec.js';
import type { Example, TaskData } from './task.js';

/** Sizes and languages of a number-words run. */
export interface NumbersOptions {
  from: NumberLanguage;
  to: NumberLanguage;
  trainSize: number;
  validSize: number;
  testSize: number;
}

/** Source tokens of the longest training numbers: English numbers below one million reach 11. */
const TRAIN_MAX_TOKENS = 9;

/**
 * Number words from one language to another (demo-data's `numberWords`, n2words' cardinals below
 * one million, e.g. "forty-two" → "cuarenta y dos"), one token per word. Trained on numbers of at
 * most 9 source tokens; tested on held-out numbers of that length and on longer held-out numbers
 * (`long`, length generalisation). Scores exact match and word error rate.
 */
export function numbersTask(options: NumbersOptions): TaskData {
  const corpus = numberWords({
    from: options.from,
    to: options.to,
    maxLength: TRAIN_MAX_TOKENS,
    sizes: {
      train: options.trainSize,
      valid: options.validSize,
      test: options.testSize,
      long: options.testSize,
    },
  });
  const toExample = (p: { source: string; target: string }): Example => ({
    source: p.source,
    references: [p.target],
  });
  const train = corpus.train.map(toExample);
  const source = SymbolCodec.fromTexts(
    'number-words',
    train.map((e) => e.source),
  );
  const target = SymbolCodec.fromTexts(
    'number-words',
    train.map((e) => e.references[0]!),
  );
  const words = (text: string) => numberTokens(text);
  return {
    name: 'numbers',
    title: `Number words, ${options.from} → ${options.to} (n2words cardinals below one million)`,
    source,
    target,
    train,
    valid: corpus.valid.map(toExample),
    tests: [
      { name: 'test', examples: corpus.test.map(toExample) },
      { name: 'long', examples: corpus.long.map(toExample) },
    ],
    maxSourceLength: 24,
    truncateSource: false,
    maxOutput: { perSourceToken: 2, extra: 6 },
    score: (examples, outputs) => {
      const errors = new ErrorRateCounter();
      let exact = 0;
      examples.forEach((e, i) => {
        if (outputs[i] === e.references[0]) exact++;
        errors.add(words(outputs[i]!), [words(e.references[0]!)]);
      });
      return {
        'exact match': examples.length ? exact / examples.length : 0,
        'word error rate': errors.rates().per,
      };
    },
    headline: { metric: 'exact match', higherIsBetter: true },
    numberLanguage: options.from,
    lengthOf: {
      unit: 'source length (words and hyphens)',
      of: (e) => numberTokens(e.source).length,
      correct: (e, output) => output === e.references[0],
    },
    notes: [
      `npm n2words v4 cardinals, demo-data's numberWords: numbers below 1,000,000 visited in a fixed low-discrepancy order, split by a hash of the decimal string; ${corpus.train.length} / ${corpus.valid.length} pairs of at most ${TRAIN_MAX_TOKENS} source tokens for training / validation.`,
      `Tests: "test" holds ${corpus.test.length} held-out numbers of the training lengths; "long" holds ${corpus.long.length} held-out numbers with more source tokens (10-11) than any training number — every word of them occurs in training, only the combination is longer (a length split, as in SCAN).`,
    ],
  };
}
