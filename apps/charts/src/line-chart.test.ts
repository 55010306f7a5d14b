import { describe, expect, it } from 'vitest';
import { lineChart } from './line-chart.js';

const base = { title: 'a <b> & c', xLabel: 'step', yLabel: 'loss' };

describe('lineChart', () => {
  it('draws the axes and one path per series, markers where asked, and escapes text', () => {
    const svg = lineChart({
      ...base,
      series: [
        {
          label: 'rnn',
          points: [
            [0, 4],
            [1, 3],
            [2, 2.5],
          ],
        },
        {
          label: 'transformer <tf>',
          points: [
            [0, 4.2],
            [2, 2],
          ],
          markers: true,
        },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>a &lt;b&gt; &amp; c</title>');
    expect(svg).toContain('transformer &lt;tf&gt;');
    expect(svg.match(/<path d="M/g)).toHaveLength(3);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).not.toContain('NaN');
  });

  it('breaks a line at non-finite points and never writes NaN', () => {
    const svg = lineChart({
      ...base,
      series: [
        {
          label: 's',
          points: [
            [0, 1],
            [1, Number.NaN],
            [2, 2],
            [3, 3],
          ],
        },
      ],
    });
    const d = /<path d="(M[^"]*)" fill="none" stroke="#1f77b4"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
    expect(svg).not.toContain('NaN');
    expect(lineChart({ ...base, series: [] })).not.toContain('NaN');
  });

  it('maps the data range plus 5% onto the plot area', () => {
    const svg = lineChart({
      ...base,
      yFromZero: false,
      series: [
        {
          label: 's',
          points: [
            [0, 10],
            [10, 20],
          ],
        },
      ],
    });
    // x 0…10 spans 60…700; y 9.5…20.5 spans 370…40 (height 420, margins 40 top, 50 bottom)
    expect(svg).toContain('<path d="M60.0,355.0L700.0,55.0"');
  });

  it('leaves hidden series out of the legend', () => {
    const svg = lineChart({
      ...base,
      series: [
        { label: 'shown', points: [[0, 1]] },
        { label: 'hidden', points: [[0, 2]], hideInLegend: true },
      ],
    });
    expect(svg).toContain('>shown<');
    expect(svg).not.toContain('>hidden<');
  });

  it('writes point labels beside their points, escaped, skipping non-finite points', () => {
    const svg = lineChart({
      ...base,
      series: [
        {
          label: 'best-of-n',
          points: [
            [0, 1],
            [Number.NaN, 2],
            [0.5, 3],
          ],
          pointLabels: ['n=1', 'n=2', 'n<4'],
        },
      ],
    });
    expect(svg).toContain('>n=1</text>');
    expect(svg).toContain('>n&lt;4</text>');
    expect(svg).not.toContain('>n=2</text>');
  });
});
