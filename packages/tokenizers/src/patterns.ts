import { translateRegex } from './regex-translate.js';

/**
 * Pre-tokenisation patterns, in tiktoken's regex syntax (its `pat_str`). Pass one (or your own, in
 * the same syntax, or a JavaScript `RegExp`) as the `pattern` option; {@link compilePattern} turns
 * it into a JavaScript `RegExp` with the same matches.
 */

/** GPT-2, r50k_base and p50k_base: contractions, optionally space-led letter / number / symbol runs, whitespace. */
export const GPT2_PATTERN = String.raw`'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/**
 * cl100k_base (GPT-3.5/GPT-4): case-insensitive contractions, words led by at most one
 * non-letter, numbers of at most three digits, punctuation with trailing newlines, whitespace.
 * This is the pattern tiktoken's JavaScript and WASM ports use. Python tiktoken >= 0.7 adds a
 * `\s++$` branch which can split whitespace with a newline at the very end of a text
 * differently; pass that source string to {@link compilePattern} if you need it.
 */
export const CL100K_PATTERN = String.raw`'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+`;

/** o200k_base (GPT-4o): cl100k's, with words split at case changes and contractions kept on the word. */
export const O200K_PATTERN = [
  String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
  String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
  String.raw`\p{N}{1,3}`,
  String.raw` ?[^\s\p{L}\p{N}]+[\r\n/]*`,
  String.raw`\s*[\r\n]+`,
  String.raw`\s+(?!\S)`,
  String.raw`\s+`,
].join('|');

// Hand-written JavaScript equivalents of the built-in patterns: what `translateRegex` gives, minus
// the atomic-group emulation that these patterns do not need (their possessive atoms can never give
// back a character that would let the rest match). A test checks each against its translation.
const WS = String.raw`\p{White_Space}`;
const NOT_WS = String.raw`\P{White_Space}`;
const CONTRACTION = "'(?:[sSſdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])";
const UPPER = String.raw`[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`;
const LOWER = String.raw`[\p{Ll}\p{Lm}\p{Lo}\p{M}]`;
const FAST = new Map<string, string>([
  [
    GPT2_PATTERN,
    String.raw`'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^${WS}\p{L}\p{N}]+|${WS}+(?!${NOT_WS})|${WS}+`,
  ],
  [
    CL100K_PATTERN,
    String.raw`${CONTRACTION}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^${WS}\p{L}\p{N}]+[\r\n]*|${WS}*[\r\n]|${WS}+(?!${NOT_WS})|${WS}+`,
  ],
  [
    O200K_PATTERN,
    String.raw`[^\r\n\p{L}\p{N}]?${UPPER}*${LOWER}+(?:${CONTRACTION})?|[^\r\n\p{L}\p{N}]?${UPPER}+${LOWER}*(?:${CONTRACTION})?|\p{N}{1,3}| ?[^${WS}\p{L}\p{N}]+[\r\n/]*|${WS}*[\r\n]+|${WS}+(?!${NOT_WS})|${WS}+`,
  ],
]);

/**
 * A global, Unicode `RegExp` for a pre-tokenisation pattern: a string in tiktoken's syntax is
 * translated (see `translateRegex`; the built-in patterns use hand-checked equivalents), a
 * `RegExp` is used as it is, with the `g` flag (and without `y`). Give a `RegExp` the `u` flag, so
 * that `\p{…}` classes work and characters are matched whole.
 * @throws TokenizerError for syntax the translation does not support.
 */
export function compilePattern(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}g`);
  return new RegExp(FAST.get(pattern) ?? translateRegex(pattern), 'gu');
}

/**
 * Cuts text into pieces with a pattern: each match, and each stretch between matches that the
 * pattern leaves out (so pieces always join back into the text; the built-in patterns leave
 * nothing out). Empty matches are not pieces. A sticky `RegExp.test` finds each piece's end
 * without building match objects.
 */
export class Pretokenizer {
  /** The pattern as given: tiktoken syntax, or a `RegExp`'s source. */
  readonly source: string;
  private readonly sticky: RegExp;
  private readonly global: RegExp;
  /** Whether the regex matches whole code points (`u` or `v` flag); if not, pieces are widened to them. */
  private readonly unicode: boolean;

  constructor(pattern: string | RegExp) {
    this.source = pattern instanceof RegExp ? pattern.source : pattern;
    this.global = compilePattern(pattern);
    this.sticky = new RegExp(this.global.source, `${this.global.flags.replace('g', '')}y`);
    this.unicode = this.global.unicode || this.global.flags.includes('v');
  }

  /** End of the piece of `text` that starts at `start` (< `text.length`). */
  pieceEnd(text: string, start: number): number {
    const re = this.sticky;
    re.lastIndex = start;
    const end = re.test(text) && re.lastIndex > start ? re.lastIndex : this.gapEnd(text, start);
    return this.unicode ? end : wholeCodePoints(text, end);
  }

  /** Calls `fn` with each piece of `text`, in order. */
  forEach(text: string, fn: (piece: string) => void): void {
    for (let p = 0; p < text.length; ) {
      const e = this.pieceEnd(text, p);
      fn(text.slice(p, e));
      p = e;
    }
  }

  /** Where the unmatched stretch starting at `start` ends: at the next non-empty match, or the end. */
  private gapEnd(text: string, start: number): number {
    const re = this.global;
    let from = start + codePointLength(text, start);
    for (;;) {
      if (from >= text.length) return text.length;
      re.lastIndex = from;
      const m = re.exec(text);
      if (m === null) return text.length;
      if (m[0].length > 0) return m.index;
      from = m.index + codePointLength(text, m.index);
    }
  }
}

/** `end`, moved past the low half when it falls inside a surrogate pair. */
function wholeCodePoints(text: string, end: number): number {
  const c = text.charCodeAt(end - 1);
  return c >= 0xd800 && c <= 0xdbff && codePointLength(text, end - 1) === 2 ? end + 1 : end;
}

function codePointLength(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}
