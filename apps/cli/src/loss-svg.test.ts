import { describe, expect, it } from 'vitest';
import { lossSvg } from './loss-svg.js';
import { formatDuration, formatRate } from './progress.js';

describe('lossSvg', () => {
  it('draws one path per curve, markers at evaluations, and escapes the title', () => {
    const svg = lossSvg(
      {
        steps: [
          [0, 4.2],
          [1, 3.9],
          [2, 3.5],
        ],
        evals: [
          [0, 4.2, 4.25],
          [3, 3.4, 3.6],
        ],
      },
      'a <b> & c',
    );
    expect(svg).toContain('a &lt;b&gt; &amp; c');
    expect(svg.match(/<path d="M/g)).toHaveLength(4); // axes + steps + train + val
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).not.toContain('NaN');
  });

  it('skips NaN validation losses', () => {
    const svg = lossSvg({ steps: [[0, 1]], evals: [[1, 1, Number.NaN]] }, 't');
    expect(svg).not.toContain('NaN');
  });
});

describe('formatting', () => {
  it('durations and rates', () => {
    expect([900, 61_000, 3_723_000].map(formatDuration)).toEqual(['1s', '1m01s', '1h02m']);
    expect([950, 12_345, 2_500_000].map(formatRate)).toEqual(['950', '12.3k', '2.5M']);
  });
});
