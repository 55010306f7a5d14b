import { describe, expect, it } from 'vitest';
import { TokenizerError } from './errors.js';
import { translateRegex } from './regex-translate.js';

/** All matches of a tiktoken-syntax pattern in `text`. */
function matches(pattern: string, text: string): string[] {
  return [...text.matchAll(new RegExp(translateRegex(pattern), 'gu'))].map((m) => m[0]);
}

describe('translateRegex', () => {
  it('reads \\s and \\S as Unicode White_Space (U+0085 is space, U+FEFF is not)', () => {
    expect(matches(String.raw`\s+`, 'a\u0085\u00a0b\ufeffc')).toEqual(['\u0085\u00a0']);
    expect(matches(String.raw`\S+`, 'a\u0085b\ufeffc')).toEqual(['a', 'b\ufeffc']);
    expect(matches(String.raw`[^\s]+`, 'x\u2028y')).toEqual(['x', 'y']);
  });

  it('expands (?i:…) to case classes with Unicode simple folds', () => {
    expect(matches("'(?i:[sdmt]|ll)", "'S 'ſ 'Ll 'x 'D")).toEqual(["'S", "'ſ", "'Ll", "'D"]);
    expect(matches('(?i:k)', 'kK\u212ax')).toEqual(['k', 'K', '\u212a']);
    expect(matches('a(?i:b)c', 'aBc abC')).toEqual(['aBc']);
    expect(matches('(?i)ab', 'AB')).toEqual(['AB']);
    expect(matches('(?i:[a-c])+', 'xAbCd')).toEqual(['AbC']);
  });

  it('makes possessive quantifiers atomic', () => {
    // a++a can never match: the possessive run keeps every a.
    expect(matches('a++a', 'aaaa')).toEqual([]);
    expect(matches('a+a', 'aaaa')).toEqual(['aaaa']);
    expect(matches('x?+x', 'xx')).toEqual(['xx']);
    expect(matches('x?+x', 'x')).toEqual([]);
    expect(matches(String.raw`\d{1,3}+\d`, '12345')).toEqual(['1234']);
    expect(matches('(?:ab)*+a', 'ababa')).toEqual(['ababa']);
  });

  it('translates Rust escapes and group syntax', () => {
    expect(matches(String.raw`\d+`, '12٣٤x')).toEqual(['12٣٤']);
    expect(matches(String.raw`(?P<w>\w+)`, 'héllo wörld')).toEqual(['héllo', 'wörld']);
    expect(matches(String.raw`\x{41}\x42`, 'AB')).toEqual(['AB']);
    expect(matches(String.raw`\pL+`, 'ab1')).toEqual(['ab']);
    expect(matches(String.raw`\'\#`, "'#")).toEqual(["'#"]);
    expect(matches(String.raw`a\z`, 'aa')).toEqual(['a']);
    expect(matches('.+', 'a\rb\nc')).toEqual(['a\rb', 'c']);
  });

  it('names what it cannot translate', () => {
    expect(() => translateRegex('(?x)a')).toThrow(TokenizerError);
    expect(() => translateRegex('[[a]]')).toThrow(/nested/);
    expect(() => translateRegex('(a')).toThrow(/unclosed group/);
    expect(() => translateRegex('a)')).toThrow(/unbalanced/);
    expect(() => translateRegex('+a')).toThrow(/quantifier/);
    expect(() => translateRegex(String.raw`\q`)).toThrow(/escape/);
  });
});
