import { describe, expect, it } from 'vitest';
import { resolveExpected } from './expected-output.js';

describe('resolveExpected', () => {
  it('accepts equal output, ignoring trailing spaces and blank lines', () => {
    const { expected, actual } = resolveExpected('a\nb  \n\n', 'a\nb\n');
    expect(actual).toBe(expected);
  });

  it('lets … stand for any text within a line, and nothing across lines', () => {
    const ok = resolveExpected(
      'step 150: val loss 1.3…\ntook … ms',
      'step 150: val loss 1.364\ntook 12 ms\n',
    );
    expect(ok.actual).toBe(ok.expected);
    const bad = resolveExpected('loss 1.3…', 'loss 2.1');
    expect(bad.actual).not.toBe(bad.expected);
    expect(resolveExpected('a…', 'ab\nc').expected).toBe('ab'); // the extra line still differs
  });

  it('treats regular-expression characters literally', () => {
    const { expected, actual } = resolveExpected('[ 1, 2 ] (x+y)…', '[ 1, 2 ] (x+y) = 3');
    expect(actual).toBe(expected);
    expect(resolveExpected('a.c', 'abc').expected).toBe('a.c');
  });
});
