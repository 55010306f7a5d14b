/** Test-only: fast-check arbitraries of text that stresses pre-tokenisation and BPE. */
import fc from 'fast-check';

/** Fragments that sit on the edges of the patterns' classes. */
const FRAGMENTS = [
  // contractions in every case, with the folds Rust's (?i) knows
  "'s",
  "'S",
  "'t",
  "'T",
  "'re",
  "'RE",
  "'rE",
  "'ve",
  "'VE",
  "'m",
  "'M",
  "'ll",
  "'LL",
  "'lL",
  "'d",
  "'D",
  "'ſ",
  "'x",
  "'",
  // whitespace: ASCII, Unicode, and the two where JavaScript's \s and Rust's disagree
  ' ',
  '  ',
  '   ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\n\n',
  ' \n',
  '\n ',
  '\u000b',
  '\u000c',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2009',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\u0085',
  '\ufeff',
  '\u200b',
  // digits and other numbers
  '0',
  '7',
  '12',
  '345',
  '6789',
  '٣٤',
  '१२',
  '１２',
  'Ⅻ',
  '½',
  '²',
  // letters: cased, titlecase, modifier, other, combining marks
  'a',
  'Z',
  'hello',
  'World',
  'HTTP',
  'McDonald',
  'ǅ',
  'ʰ',
  'ß',
  'İ',
  'ﬁ',
  'e\u0301',
  '\u0301',
  'Ω',
  'Привет',
  'ΑΒΓ',
  'नमस्ते',
  'مرحبا',
  'สวัสดี',
  '日本語',
  '中文',
  '한국어',
  'ｶﾀｶﾅ',
  // symbols and punctuation, o200k's slash rule
  '.',
  '...',
  ',',
  '!?',
  '--',
  '—',
  '/',
  '//',
  '\\',
  '"',
  '(',
  ')',
  '{}',
  '<|',
  '|>',
  '$',
  '€',
  '©',
  'x/y/z',
  'http://a.b/c',
  // emoji: plain, skin tone, ZWJ family, flag, keycap, variation selector
  '😀',
  '👍🏽',
  '👨‍👩‍👧',
  '🇺🇸',
  '1️⃣',
  '❤️',
  // lone surrogates (tiktoken sees U+FFFD)
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\ud83d',
  '\ufffd',
];

/** Strings made of up to 40 tricky fragments, with some long runs mixed in. */
export function trickyText(): fc.Arbitrary<string> {
  const run = fc
    .tuple(
      fc.constantFrom(' ', '\n', 'a', 'Z', '1', '!', '😀', '日', '\u3000', ' \n'),
      fc.integer({ min: 2, max: 200 }),
    )
    .map(([s, n]) => s.repeat(n));
  const piece = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...FRAGMENTS) },
    { weight: 1, arbitrary: run },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  );
  return fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
}

/** `s` with each lone surrogate replaced by U+FFFD (what UTF-8 encoding, and so tiktoken, sees). */
export function wellFormed(s: string): string {
  return s.replace(/\p{Cs}/gu, '\ufffd');
}
