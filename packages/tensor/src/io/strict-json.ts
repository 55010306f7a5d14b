/** Deepest nesting of arrays and objects accepted (serde_json's default recursion limit). */
const MAX_DEPTH = 128;

/** Single-character escapes and what they stand for. */
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Where a value sits in the document, for messages: `"a"."shape"[0]` (`the top level` for the root). */
function fmtPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'the top level';
  return path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${JSON.stringify(key)}`))
    .join('')
    .replace(/^\./, '');
}

/**
 * Parses JSON text as `JSON.parse` does, but for files that must mean one thing: a key repeated in
 * an object is an error (`JSON.parse` silently keeps the last one), objects have a null prototype
 * (so `__proto__` is an ordinary key), and nesting deeper than 128 is an error rather than a stack
 * overflow.
 * @throws SyntaxError naming the position, or the key and where it repeats.
 */
export function parseStrictJson(text: string): unknown {
  const parser = new StrictJsonParser(text);
  parser.skipSpace();
  const value = parser.value();
  parser.skipSpace();
  if (parser.at < text.length) parser.fail('unexpected text after the JSON value');
  return value;
}

class StrictJsonParser {
  at = 0;
  /** Keys and indices from the root to the value being read. */
  private readonly path: (string | number)[] = [];

  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.at}`);
  }

  skipSpace(): void {
    const { text } = this;
    for (; this.at < text.length; this.at++) {
      const c = text.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    }
  }

  /** Consumes `char` (after whitespace) or fails. */
  expect(char: string): void {
    this.skipSpace();
    if (this.text[this.at] !== char) this.fail(`expected '${char}'`);
    this.at++;
  }

  value(): unknown {
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected ${JSON.stringify(c)}`);
  }

  private enter(): void {
    if (this.path.length >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.at++; // the opening bracket
    this.skipSpace();
  }

  /** After an element: true at the closing `close`, false after a comma. */
  private next(close: string): boolean {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === close || c === ',') {
      this.at++;
      this.skipSpace();
      return c === close;
    }
    return this.fail(`expected ',' or '${close}'`);
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null);
    this.enter();
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      if (this.text[this.at] !== '"') this.fail('expected a string key');
      const keyAt = this.at;
      const key = this.string();
      if (Object.hasOwn(out, key)) {
        this.at = keyAt;
        this.fail(`duplicate key ${JSON.stringify(key)} in ${fmtPath(this.path)}`);
      }
      this.expect(':');
      this.skipSpace();
      this.path.push(key);
      out[key] = this.value();
      this.path.pop();
      if (this.next('}')) return out;
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.enter();
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      this.path.push(out.length);
      out.push(this.value());
      this.path.pop();
      if (this.next(']')) return out;
    }
  }

  private number(): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.at;
    const literal = match.exec(this.text)?.[0];
    if (literal === undefined) return this.fail('invalid number');
    this.at += literal.length;
    return Number(literal);
  }

  private string(): string {
    const { text } = this;
    const start = ++this.at; // past the opening quote
    let out = '';
    let from = start;
    for (;;) {
      const c = text.charCodeAt(this.at);
      if (Number.isNaN(c)) return this.fail('unterminated string');
      if (c === 0x22) break; // closing quote
      if (c < 0x20) this.fail('control character in string');
      if (c !== 0x5c) {
        this.at++;
        continue;
      }
      out += text.slice(from, this.at) + this.escape();
      from = this.at;
    }
    out += text.slice(from, this.at);
    this.at++;
    return out;
  }

  /** Decodes the escape at the backslash under `at`, leaving `at` after it. */
  private escape(): string {
    const code = this.text[this.at + 1];
    if (code !== undefined && Object.hasOwn(ESCAPES, code)) {
      this.at += 2;
      return ESCAPES[code]!;
    }
    const hex = this.text.slice(this.at + 2, this.at + 6);
    if (code !== 'u' || !/^[0-9a-fA-F]{4}$/.test(hex)) return this.fail('invalid escape in string');
    this.at += 6;
    return String.fromCharCode(Number.parseInt(hex, 16));
  }
}
