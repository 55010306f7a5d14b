import { describe, expect, it } from 'vitest';
import { escapeXml, niceTicks } from './svg.js';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 2000)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(niceTicks(1.4, 4.3)).toEqual([2, 3, 4]);
    expect(niceTicks(1.4, 4.3, 10)).toEqual([1.5, 2, 2.5, 3, 3.5, 4]);
    expect(niceTicks(0, 0.3)).toEqual([0, 0.1, 0.2, 0.3]); // no 0.30000000000000004
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe('escapeXml', () => {
  it('escapes markup and quotes', () => {
    expect(escapeXml('a <b> & "c"')).toBe('a &lt;b&gt; &amp; &quot;c&quot;');
  });
});
