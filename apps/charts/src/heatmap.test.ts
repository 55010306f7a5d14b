import { describe, expect, it } from 'vitest';
import { heatmap } from './heatmap.js';

describe('heatmap', () => {
  const options = {
    title: 'attention',
    rows: ['HH', 'AH0'],
    columns: ['h', 'e', '<'],
    values: [
      [1, 0, 0],
      [0.25, 0.75, 0],
    ],
  };

  it('draws one cell per value, white at 0 and dark blue at 1, with escaped labels', () => {
    const svg = heatmap(options);
    expect(svg.match(/<rect x=/g)).toHaveLength(6);
    expect(svg).toContain('fill="rgb(8,48,107)"'); // 1
    expect(svg).toContain('fill="rgb(255,255,255)" stroke'); // 0
    expect(svg).toContain('&lt;');
    expect(svg).toContain('<title>AH0 → e: 0.750</title>');
  });

  it('rejects values of the wrong shape', () => {
    expect(() => heatmap({ ...options, values: [[1, 0, 0]] })).toThrow(
      'heatmap: values must be 2 × 3 (rows × columns), got 1 × 3',
    );
  });
});
