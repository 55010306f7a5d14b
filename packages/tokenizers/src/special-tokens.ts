import { DisallowedSpecialTokenError, TokenizerError } from './errors.js';
import type { EncodeOptions } from './tokenizer.js';

const NONE: readonly string[] = [];

/** Escapes `s` for use as a literal in a Unicode `RegExp` (outside a character class). */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The special tokens of a tokenizer and tiktoken's rules for them: which are allowed in a call,
 * the check that no disallowed one appears, and the split of a text around the allowed ones.
 */
export class SpecialTokens {
  /** Special token text → id. */
  readonly byText: ReadonlyMap<string, number>;
  /** Special id → text. */
  readonly byId: ReadonlyMap<number, string>;
  private readonly all: readonly string[];
  private readonly splitters = new Map<string, RegExp>();

  /** @throws TokenizerError for an empty text, a non-integer or negative id, or two tokens with one id. */
  constructor(tokens: Iterable<readonly [string, number]> = []) {
    const byText = new Map<string, number>();
    const byId = new Map<number, string>();
    for (const [text, id] of tokens) {
      if (text.length === 0) throw new TokenizerError('special tokens: a special token cannot be empty');
      if (!Number.isInteger(id) || id < 0) {
        throw new TokenizerError(
          `special tokens: id of ${JSON.stringify(text)} must be an integer >= 0, got ${id}`,
        );
      }
      const other = byId.get(id);
      if (other !== undefined && other !== text) {
        throw new TokenizerError(
          `special tokens: ${JSON.stringify(text)} and ${JSON.stringify(other)} both have id ${id}`,
        );
      }
      byText.set(text, id);
      byId.set(id, text);
    }
    this.byText = byText;
    this.byId = byId;
    // Longest first, so that of two specials where one is a prefix of the other the longer wins.
    this.all = [...byText.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  /** Number of special tokens. */
  get size(): number {
    return this.byText.size;
  }

  /** The largest special id, or -1 when there are none. */
  get maxId(): number {
    let max = -1;
    for (const id of this.byId.keys()) if (id > max) max = id;
    return max;
  }

  /**
   * Applies `options` to `text`: throws when a disallowed special token's text occurs in it, and
   * returns the allowed special texts (longest first) to split on.
   * @throws DisallowedSpecialTokenError
   * @throws TokenizerError when an option names a text that is not a special token.
   */
  resolve(text: string, options: EncodeOptions | undefined): readonly string[] {
    if (this.all.length === 0) return this.all;
    if (options === undefined) {
      // The default: nothing allowed, everything disallowed.
      for (const token of this.all) if (text.includes(token)) throw new DisallowedSpecialTokenError(token);
      return NONE;
    }
    const allowed = this.selection(options?.allowedSpecial ?? [], 'allowedSpecial');
    const disallowedOpt = options?.disallowedSpecial ?? 'all';
    const disallowed =
      disallowedOpt === 'all'
        ? this.all.filter((t) => !allowed.includes(t))
        : this.selection(disallowedOpt, 'disallowedSpecial');
    for (const token of disallowed) {
      if (text.includes(token)) throw new DisallowedSpecialTokenError(token);
    }
    return allowed;
  }

  /**
   * Cuts `text` at every occurrence of an allowed special token (leftmost first, longest on ties)
   * and calls `ordinary` for each stretch of ordinary text (never empty) and `special` for each
   * special id, in order.
   */
  split(
    text: string,
    allowed: readonly string[],
    ordinary: (segment: string) => void,
    special: (id: number) => void,
  ): void {
    if (allowed.length === 0) {
      if (text.length > 0) ordinary(text);
      return;
    }
    const key = allowed.join('\u0000');
    let re = this.splitters.get(key);
    if (re === undefined) {
      re = new RegExp(allowed.map(escapeRegExp).join('|'), 'gu');
      this.splitters.set(key, re);
    }
    re.lastIndex = 0;
    let start = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m.index > start) ordinary(text.slice(start, m.index));
      special(this.byText.get(m[0])!);
      start = m.index + m[0].length;
    }
    if (start < text.length) ordinary(text.slice(start));
  }

  private selection(option: 'all' | Iterable<string>, name: string): string[] {
    if (option === 'all') return [...this.all];
    const picked = new Set<string>();
    for (const t of option) {
      if (!this.byText.has(t)) {
        throw new TokenizerError(`encode: ${name} names ${JSON.stringify(t)}, which is not a special token`);
      }
      picked.add(t);
    }
    return this.all.filter((t) => picked.has(t));
  }
}
