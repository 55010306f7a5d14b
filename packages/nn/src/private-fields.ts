/**
 * Finding the `#private` instance fields a class declares, from its source text
 * (`Function.prototype.toString`), because JavaScript offers no other way to learn of them: they
 * are not properties, so `Object.keys`, proxies and reflection never see them.
 *
 * Private instance fields are the `#name` tokens, outside comments, strings, template text and
 * regular expressions, that follow no `.` (a use: `this.#name`, `a?.#name`), no `static`, and
 * precede no `(` (methods and accessors: `#m()`, `get #m()`) and no `in` (a brand check
 * `#name in obj`). A class whose `toString` is not its source (a native or bound function, an
 * engine that hides sources) has none found; private fields lowered to WeakMaps by a compiler are
 * ordinary variables in the source and are not found either.
 */

const PRIVATE_NAME = /#([\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)/gu;

/** Characters after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set('(,=:[!&|?{};~+-*%<>^'.split(''));
const KEYWORDS_BEFORE_REGEX =
  /(?:^|[^\p{ID_Continue}$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)$/u;

/** The names (without `#`) of the private instance fields `cls` declares in its own body. */
export function privateInstanceFields(cls: abstract new (...args: never[]) => unknown): string[] {
  const code = codeOnly(Function.prototype.toString.call(cls));
  const names: string[] = [];
  for (const match of code.matchAll(PRIVATE_NAME)) {
    const before = tailBefore(code, match.index);
    const after = code.slice(match.index + match[0].length, match.index + match[0].length + 80).trimStart();
    const isUse = before.endsWith('.');
    const isStatic = /(?:^|[^\p{ID_Continue}$])static$/u.test(before);
    const isMethod = after.startsWith('(');
    const isBrandCheck = /^in(?![\p{ID_Continue}$])/u.test(after);
    if (!isUse && !isStatic && !isMethod && !isBrandCheck) names.push(match[1]!);
  }
  return names;
}

/**
 * `source` with the contents of comments, string literals, template text and regular expressions
 * replaced by spaces (the code inside `${…}` kept), so that what remains is code.
 */
export function codeOnly(source: string): string {
  const out = source.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  /** Brace depths at which an open `${` of a template literal closes. */
  const templateDepths: number[] = [];
  let depth = 0;
  let i = 0;
  const n = source.length;

  /** Skips template text from `i` (just after a backtick or a closing `}`) to the end or the next `${`. */
  const scanTemplateText = () => {
    const start = i;
    while (i < n && source[i] !== '`' && !(source[i] === '$' && source[i + 1] === '{'))
      i += source[i] === '\\' ? 2 : 1;
    blank(start, i);
    if (source[i] === '`') i++;
    else if (i < n) {
      i += 2; // `${`: code until its closing brace
      templateDepths.push(depth);
      depth++;
    }
  };

  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      blank(i + 1, j);
      i = j + 1;
    } else if (c === '`') {
      i++;
      scanTemplateText();
    } else if (c === '}' && templateDepths.at(-1) === depth - 1) {
      templateDepths.pop();
      depth--;
      i++;
      scanTemplateText();
    } else if (c === '/' && startsRegex(tailBefore(out, i))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== '\n' && (inClass || source[j] !== '/')) {
        if (source[j] === '[') inClass = true;
        else if (source[j] === ']') inClass = false;
        j += source[j] === '\\' ? 2 : 1;
      }
      blank(i + 1, j);
      i = j + 1;
    } else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      i++;
    }
  }
  return out.join('');
}

/** The last few characters of code before index `end`, trailing whitespace dropped ('' at the start). */
function tailBefore(code: string | readonly string[], end: number): string {
  let j = end - 1;
  while (j >= 0 && /\s/.test(code[j]!)) j--;
  let tail = '';
  for (let k = Math.max(0, j - 15); k <= j; k++) tail += code[k];
  return tail;
}

function startsRegex(before: string): boolean {
  return before === '' || BEFORE_REGEX.has(before.at(-1)!) || KEYWORDS_BEFORE_REGEX.test(before);
}
