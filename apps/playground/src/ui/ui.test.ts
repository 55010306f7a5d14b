import { BPETokenizer, CharTokenizer, ENCODINGS } from '@proj/tokenizers';
import { describe, expect, it } from 'vitest';
import { chartColumns } from './chart-data.js';
import { formatCount, formatDuration, progressLine } from './format.js';
import { heatColor } from './heatmap.js';
import { pieceColor, tokenPieces } from './token-pieces.js';

describe('formatting', () => {
  it('writes durations, counts and the progress line', () => {
    expect([0, 41_600, 185_000, 3_725_000, Number.NaN, -1].map(formatDuration)).toEqual([
      '0s',
      '42s',
      '3m 05s',
      '1h 02m',
      '—',
      '—',
    ]);
    expect([950, 12_345, 1_070_000].map(formatCount)).toEqual(['950', '12.3k', '1.07M']);
    expect(
      progressLine({ iter: 99, maxIters: 500, loss: 2.345678, tokensPerSec: 15_120, etaMs: 65_000 }),
    ).toBe('step 100/500 · loss 2.3457 · 15.1k tokens/s · ETA 1m 05s');
  });
});

describe('chartColumns', () => {
  it('aligns step losses (after iter + 1 steps) and evaluations (after iter steps) on one axis', () => {
    const columns = chartColumns({
      steps: [
        [0, 4.2],
        [1, 3.9],
        [2, Number.NaN],
      ],
      evals: [
        [0, 4.3, 4.31],
        [2, 3.5, Number.NaN],
      ],
    });
    expect(columns).toEqual([
      [0, 1, 2, 3],
      [null, 4.2, 3.9, null],
      [4.3, null, 3.5, null],
      [4.31, null, null, null],
    ]);
    expect(chartColumns({ steps: [], evals: [] })).toEqual([[], [], [], []]);
  });
});

describe('tokenPieces', () => {
  it('cuts text into the pieces of each token, with their ids', () => {
    const char = CharTokenizer.fromCorpus('abc ');
    expect(tokenPieces(char, 'cab a')).toEqual([
      { text: 'c', ids: [3] },
      { text: 'a', ids: [1] },
      { text: 'b', ids: [2] },
      { text: ' ', ids: [0] },
      { text: 'a', ids: [1] },
    ]);
    expect(() => tokenPieces(char, 'x')).toThrow(/x/);
  });

  it("keeps a BPE's partial UTF-8 tokens together until they decode to whole characters", () => {
    const bytes = BPETokenizer.train('plain ascii text only', { vocabSize: 260 });
    const text = 'a é 🙂 \uFFFD';
    const pieces = tokenPieces(bytes, text);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
    expect(pieces.find((p) => p.text === '🙂')!.ids).toEqual([240, 159, 153, 130]);
    expect(pieces.find((p) => p.text === '\uFFFD')!.ids).toEqual([239, 191, 189]);
    expect(pieces.flatMap((p) => p.ids)).toEqual(bytes.encode(text));
  });

  it("gives GPT-2's ids for a known string", async () => {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const ranks = readFileSync(
      createRequire(import.meta.url).resolve('gpt-tokenizer/data/r50k_base.tiktoken'),
      'utf8',
    );
    const gpt2 = BPETokenizer.fromTiktoken(ranks, ENCODINGS.gpt2);
    // tiktoken.get_encoding('gpt2').encode('Hello world, the state of the Union')
    expect(tokenPieces(gpt2, 'Hello world, the state of the Union')).toEqual([
      { text: 'Hello', ids: [15496] },
      { text: ' world', ids: [995] },
      { text: ',', ids: [11] },
      { text: ' the', ids: [262] },
      { text: ' state', ids: [1181] },
      { text: ' of', ids: [286] },
      { text: ' the', ids: [262] },
      { text: ' Union', ids: [4479] },
    ]);
  });

  it('colours neighbours apart', () => {
    expect(pieceColor(0)).toBe('hsl(0 75% 82%)');
    expect(pieceColor(1)).toBe('hsl(138 75% 82%)');
  });
});

describe('heatColor', () => {
  it('runs from white (0) through blue to near-black (1), clamping the rest', () => {
    expect(heatColor(0)).toEqual([255, 255, 255]);
    expect(heatColor(1 / 3)).toEqual([107, 174, 214]);
    expect(heatColor(1)).toEqual([4, 20, 45]);
    expect(heatColor(-1)).toEqual(heatColor(0));
    expect(heatColor(2)).toEqual(heatColor(1));
    expect(heatColor(Number.NaN)).toEqual(heatColor(0));
  });
});
