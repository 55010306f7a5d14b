import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../testing/index.js';
import { parseStrictJson } from './strict-json.js';

/** `JSON.parse`'s answer: the value, or that it refused the text. */
function builtIn(text: string): { value: unknown } | 'refused' {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return 'refused';
  }
}

/** Ours, in the same form; a repeated key (which `JSON.parse` accepts) is reported apart. */
function strict(text: string): { value: unknown } | 'refused' | 'duplicate' {
  try {
    return { value: parseStrictJson(text) };
  } catch (error) {
    expect(error).toBeInstanceOf(SyntaxError);
    return /duplicate key/.test((error as Error).message) ? 'duplicate' : 'refused';
  }
}

const runs = Number(process.env.PROJ_FUZZ_RUNS ?? 200);

describe('parseStrictJson', () => {
  it('reads every JSON text as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(strict(text)).toEqual(builtIn(text));
      }),
      { numRuns: runs },
    );
  });

  it('refuses exactly the texts JSON.parse refuses (bar repeated keys), mutated or random', () => {
    const edit = fc
      .tuple(fc.json(), fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 2 }))
      .map(([text, at, cut, insert]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + cut);
      });
    fc.assert(
      fc.property(
        fc.oneof(edit, fc.string(), fc.string({ unit: fc.constantFrom(...'{}[]",:0-e.1 tn\\u') })),
        (text) => {
          const ours = strict(text);
          if (ours !== 'duplicate') expect(ours).toEqual(builtIn(text));
        },
      ),
      { numRuns: runs },
    );
  });

  it('names a repeated key and where it is', () => {
    expect(errorOf(() => parseStrictJson('{"a": 1, "b": {"c": [{"x": 1, "x": 2}]}}'))).toEqual({
      name: 'SyntaxError',
      message: 'duplicate key "x" in "b"."c"[0] at position 30',
    });
    expect(errorOf(() => parseStrictJson('{"a": 1, "\\u0061": 2}'))).toMatchObject({
      message: expect.stringContaining('duplicate key "a" in the top level'),
    });
  });

  it('makes objects with a null prototype, so __proto__ is an ordinary key', () => {
    const value = parseStrictJson('{"__proto__": {"x": 1}, "constructor": 2}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(null);
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ x: 1 });
  });

  it('refuses nesting deeper than 128 instead of overflowing the stack', () => {
    expect(parseStrictJson(`${'['.repeat(128)}${']'.repeat(128)}`)).toBeDefined();
    expect(errorOf(() => parseStrictJson('['.repeat(100_000)))).toEqual({
      name: 'SyntaxError',
      message: 'nesting deeper than 128 at position 128',
    });
  });
});
