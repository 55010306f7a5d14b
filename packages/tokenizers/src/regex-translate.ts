import { TokenizerError } from './errors.js';

/**
 * Translates a regular expression written for tiktoken's engine (Rust's `fancy-regex`, the syntax
 * of tiktoken's `pat_str` and of Hugging Face `Split` patterns) into JavaScript `RegExp` source
 * for the `u` flag, keeping its meaning:
 * - `\s` / `\S` are Unicode White_Space (Rust), not JavaScript's `\s` (which adds U+FEFF and lacks U+0085);
 *   `\d` is `\p{Nd}`, `\w` Unicode word characters, `.` anything but `\n`, `\z` `$`, `\A` `^`;
 * - `(?i:…)` and `(?i)` become explicit case classes (`s` → `[sSſ]`, `k` → `[kKK]`, as Unicode simple case folding);
 * - possessive quantifiers (`?+`, `++`, `*+`, `{n,m}+`) become atomic lookahead-and-backreference pairs;
 * - `(?P<name>…)` becomes `(?<name>…)`; escaped punctuation that JavaScript rejects becomes a literal.
 *
 * Limits (a `TokenizerError` says so): other inline flags, nested or set-operation classes, `\W` inside a class.
 * Case-insensitivity applies to ASCII letters only (`\p{…}` classes keep their case).
 */
export function translateRegex(source: string): string {
  return new Translator(source).run();
}

/** ASCII letters whose Unicode simple case folding has a third, non-ASCII member. */
const FOLDS: Record<string, string> = { k: '\u212a', s: '\u017f' };
const WORD = String.raw`\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}`;
const JS_SYNTAX = '^$\\.*+?()[]{}|/';

function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/** Every case variant of an ASCII letter (itself first). */
function caseVariants(c: string): string {
  const lo = c.toLowerCase();
  const up = c.toUpperCase();
  return (c === lo ? lo + up : up + lo) + (FOLDS[lo] ?? '');
}

interface Group {
  /** Output index where the group's text starts. */
  start: number;
  /** Case-insensitivity in force outside this group, restored at its end. */
  outerCi: boolean;
}

class Translator {
  private i = 0;
  private out = '';
  private ci = false;
  private readonly groups: Group[] = [];
  /** Output index where the last complete atom starts (-1: none yet). */
  private atomStart = -1;
  private atomics = 0;

  constructor(private readonly src: string) {}

  run(): string {
    const s = this.src;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '\\') this.atom(() => this.escape(false));
      else if (c === '[') this.atom(() => this.charClass());
      else if (c === '(') this.openGroup();
      else if (c === ')') this.closeGroup();
      else if (
        c === '?' ||
        c === '*' ||
        c === '+' ||
        (c === '{' && /^\{\d+(,\d*)?\}/.test(s.slice(this.i)))
      ) {
        this.quantifier();
      } else if (c === '|' || c === '^' || c === '$') {
        this.out += c;
        this.i++;
        this.atomStart = -1;
      } else if (c === '.') this.atom(() => this.emit('[^\\n]', 1));
      else this.atom(() => this.literal(c));
    }
    if (this.groups.length > 0) this.fail('unclosed group');
    return this.out;
  }

  private fail(what: string): never {
    throw new TokenizerError(`pattern: ${what} at index ${this.i} of ${JSON.stringify(this.src)}`);
  }

  private emit(text: string, consumed: number): void {
    this.out += text;
    this.i += consumed;
  }

  private atom(body: () => void): void {
    const start = this.out.length;
    body();
    this.atomStart = start;
  }

  private literal(c: string): void {
    const cp = this.src.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    if (this.ci && isLetter(c)) this.emit(`[${caseVariants(c)}]`, 1);
    else this.emit(JS_SYNTAX.includes(ch) ? `\\${ch}` : ch, ch.length);
  }

  /** Translates the escape at `i` (inside a class when `inClass`). */
  private escape(inClass: boolean): void {
    const [text, consumed] = this.escapeText(inClass);
    this.emit(text, consumed);
  }

  /** The JavaScript text for the escape at `i`, and how many source characters it spans. */
  private escapeText(inClass: boolean): [string, number] {
    const s = this.src;
    const c = s[this.i + 1];
    if (c === undefined) this.fail('trailing backslash');
    switch (c) {
      case 's':
        return [String.raw`\p{White_Space}`, 2];
      case 'S':
        return [String.raw`\P{White_Space}`, 2];
      case 'd':
        return [String.raw`\p{Nd}`, 2];
      case 'D':
        return [String.raw`\P{Nd}`, 2];
      case 'w':
        return [inClass ? WORD : `[${WORD}]`, 2];
      case 'W':
        if (inClass) this.fail(String.raw`\W inside a character class is not supported`);
        return [`[^${WORD}]`, 2];
      case 'z':
      case 'A':
        if (inClass) this.fail(`\\${c} inside a character class`);
        return [c === 'z' ? '$' : '^', 2];
      case 'p':
      case 'P': {
        if (s[this.i + 2] !== '{') return [`\\${c}{${s[this.i + 2] ?? ''}}`, 3];
        const end = s.indexOf('}', this.i);
        if (end < 0) this.fail('unclosed \\p{');
        return [s.slice(this.i, end + 1), end + 1 - this.i];
      }
      case 'x': {
        if (s[this.i + 2] !== '{') return [s.slice(this.i, this.i + 4), 4];
        const end = s.indexOf('}', this.i);
        if (end < 0) this.fail('unclosed \\x{');
        return [`\\u{${s.slice(this.i + 3, end)}}`, end + 1 - this.i];
      }
      case 'n':
      case 'r':
      case 't':
      case 'f':
      case 'v':
      case 'b':
      case 'B':
        return [`\\${c}`, 2];
      default: {
        if (isLetter(c) || (c >= '0' && c <= '9')) this.fail(`unsupported escape \\${c}`);
        const keep = JS_SYNTAX.includes(c) || (inClass && c === '-');
        return [keep ? `\\${c}` : c, 2];
      }
    }
  }

  private charClass(): void {
    const s = this.src;
    this.emit('[', 1);
    if (s[this.i] === '^') this.emit('^', 1);
    if (s[this.i] === ']') this.emit('\\]', 1);
    while (this.i < s.length && s[this.i] !== ']') {
      const c = s[this.i]!;
      if (c === '\\') this.escape(true);
      else if (c === '[') this.fail('nested character classes are not supported');
      else if ((c === '&' || c === '~' || c === '-') && s[this.i + 1] === c)
        this.fail('class set operations are not supported');
      else if (this.ci && isLetter(c) && s[this.i + 1] === '-' && isLetter(s[this.i + 2] ?? '')) {
        const hi = s[this.i + 2]!;
        let text = `${c}-${hi}`;
        if (c.toLowerCase() !== c.toUpperCase()) {
          const other = (x: string) => (x === x.toLowerCase() ? x.toUpperCase() : x.toLowerCase());
          text += `${other(c)}-${other(hi)}`;
        }
        for (const [lo, fold] of Object.entries(FOLDS)) {
          if (lo >= c.toLowerCase() && lo <= hi.toLowerCase()) text += fold;
        }
        this.emit(text, 3);
      } else if (this.ci && isLetter(c)) this.emit(caseVariants(c), 1);
      else {
        const ch = String.fromCodePoint(s.codePointAt(this.i)!);
        this.emit(ch === '/' ? '\\/' : ch, ch.length);
      }
    }
    if (this.i >= s.length) this.fail('unclosed character class');
    this.emit(']', 1);
  }

  private openGroup(): void {
    const s = this.src;
    const group: Group = { start: this.out.length, outerCi: this.ci };
    const rest = s.slice(this.i);
    const flags = /^\(\?([a-zA-Z-]+)(:|\))/.exec(rest);
    if (flags && !rest.startsWith('(?P')) {
      const [whole, letters, end] = flags;
      if (!/^(-?i|i-)$/.test(letters!)) this.fail(`unsupported inline flags (?${letters})`);
      const on = letters!.includes('i') && !letters!.startsWith('-');
      if (end === ')') {
        // `(?i)`: applies to the rest of the enclosing group.
        this.ci = on;
        this.i += whole!.length;
        return;
      }
      this.ci = on;
      this.groups.push(group);
      this.emit('(?:', whole!.length);
      return;
    }
    this.groups.push(group);
    if (rest.startsWith('(?P<')) {
      this.emit('(?<', 4);
      return;
    }
    const head = ['(?:', '(?=', '(?!', '(?<=', '(?<!', '(?<'].find((h) => rest.startsWith(h));
    if (head !== undefined) {
      this.emit(head, head.length);
      return;
    }
    if (rest.startsWith('(?')) this.fail('unsupported group syntax');
    this.emit('(', 1);
  }

  private closeGroup(): void {
    const group = this.groups.pop();
    if (group === undefined) this.fail('unbalanced )');
    this.emit(')', 1);
    this.ci = group.outerCi;
    this.atomStart = group.start;
  }

  private quantifier(): void {
    const s = this.src;
    if (this.atomStart < 0) this.fail('quantifier without an atom');
    const m = /^(\?|\*|\+|\{\d+(?:,\d*)?\})([?+]?)/.exec(s.slice(this.i))!;
    const [whole, q, mode] = m;
    if (mode === '+') {
      // Possessive: match greedily once, never give back — (?=(?<a>X+))\k<a>.
      const name = `atomic${this.atomics++}`;
      const atomText = this.out.slice(this.atomStart);
      this.out = `${this.out.slice(0, this.atomStart)}(?=(?<${name}>${atomText}${q}))\\k<${name}>`;
    } else {
      this.out += q! + mode!;
    }
    this.i += whole!.length;
    this.atomStart = -1;
  }
}
