import { Generator, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { nextTokenProbabilities, sampleNext, topKFilter, topPFilter } from './sampling.js';

const probs = [0.5, 0.2, 0.15, 0.1, 0.05];
const logits = tensor([probs.map(Math.log)], { dtype: 'float64' });
const kept = (t: ReturnType<typeof tensor>) =>
  Array.from(t.data()).flatMap((v, i) => (v === Number.NEGATIVE_INFINITY ? [] : [i]));

describe('sampling filters', () => {
  it('topKFilter keeps the k largest logits (and ties with the k-th)', () => {
    expect(kept(topKFilter(logits, 2))).toEqual([0, 1]);
    expect(kept(topKFilter(logits, 1))).toEqual([0]);
    expect(kept(topKFilter(logits, 9))).toEqual([0, 1, 2, 3, 4]);
    expect(kept(topKFilter(tensor([[1, 3, 3, 0]]), 2))).toEqual([1, 2]);
    expect(kept(topKFilter(tensor([[3, 1, 3, 3]]), 2))).toEqual([0, 2, 3]);
    expect(() => topKFilter(logits, 0)).toThrow(/k must be a positive integer/);
  });

  it('topPFilter keeps the smallest most-likely set whose probability reaches p', () => {
    expect(kept(topPFilter(logits, 0.5))).toEqual([0]);
    expect(kept(topPFilter(logits, 0.6))).toEqual([0, 1]);
    expect(kept(topPFilter(logits, 0.7))).toEqual([0, 1]);
    expect(kept(topPFilter(logits, 0.71))).toEqual([0, 1, 2]);
    expect(kept(topPFilter(logits, 0.01))).toEqual([0]);
    expect(kept(topPFilter(logits, 1))).toEqual([0, 1, 2, 3, 4]);
    // order-independent: a shuffled row keeps the same tokens
    const shuffled = tensor([[0.1, 0.5, 0.05, 0.2, 0.15].map(Math.log)], { dtype: 'float64' });
    expect(kept(topPFilter(shuffled, 0.8))).toEqual([1, 3, 4]);
    expect(() => topPFilter(logits, 0)).toThrow(/p must be in \(0, 1\]/);
  });

  it('nextTokenProbabilities applies temperature, then top-k, then top-p', () => {
    const base = Array.from(nextTokenProbabilities(logits).data());
    base.forEach((p, i) => expect(p).toBeCloseTo(probs[i]!, 12));
    // temperature 2 flattens: p_i^(1/2) / Σ p_j^(1/2)
    const roots = probs.map(Math.sqrt);
    const z = roots.reduce((a, b) => a + b, 0);
    Array.from(nextTokenProbabilities(logits, { temperature: 2 }).data()).forEach((p, i) =>
      expect(p).toBeCloseTo(roots[i]! / z, 12),
    );
    const topK = Array.from(nextTokenProbabilities(logits, { topK: 3 }).data());
    expect(topK.slice(3)).toEqual([0, 0]);
    topK.slice(0, 3).forEach((p, i) => expect(p).toBeCloseTo(probs[i]! / 0.85, 12));
    const both = Array.from(nextTokenProbabilities(logits, { topK: 3, topP: 0.6 }).data());
    both.forEach((p, i) => expect(p).toBeCloseTo(i < 2 ? probs[i]! / 0.7 : 0, 12));
    expect(() => nextTokenProbabilities(logits, { temperature: -1 })).toThrow(/temperature must be > 0/);
  });

  it('sampleNext is argmax at temperature 0 and otherwise follows the filtered distribution', () => {
    const rows = tensor(
      [
        [0, 2, 1],
        [5, -1, 4],
      ],
      { dtype: 'float64' },
    );
    expect(Array.from(sampleNext(rows, { temperature: 0 }).data())).toEqual([1, 0]);
    const many = tensor(
      Array.from({ length: 4000 }, () => probs.map(Math.log)),
      { dtype: 'float64' },
    );
    const draws = Array.from(sampleNext(many, { topK: 2, generator: new Generator(0) }).data());
    const counts = [0, 1, 2, 3, 4].map((k) => draws.filter((d) => d === k).length / draws.length);
    expect(counts[0]).toBeCloseTo(0.5 / 0.7, 1);
    expect(counts[1]).toBeCloseTo(0.2 / 0.7, 1);
    expect(counts[2]! + counts[3]! + counts[4]!).toBe(0);
    const again = Array.from(sampleNext(many, { topK: 2, generator: new Generator(0) }).data());
    expect(again).toEqual(draws);
  });

  it('sampleNext refuses logits it cannot sample from: NaN, +Infinity, or a row of only -Infinity', () => {
    const inf = Number.POSITIVE_INFINITY;
    const cases: [number[][], string][] = [
      [[[0, Number.NaN, 1]], 'row 0 holds NaN at index 1'],
      [
        [
          [0, 1],
          [inf, 0],
        ],
        'row 1 holds Infinity at index 0',
      ],
      [[[-inf, -inf]], 'row 0 holds only -Infinity'],
    ];
    for (const [rows, where] of cases) {
      for (const temperature of [0, 1]) {
        expect(() => sampleNext(tensor(rows), { temperature })).toThrow(
          `sampleNext: the logits cannot be sampled (${where})`,
        );
      }
    }
    // -Infinity marks tokens that may not be picked; the others are still sampled
    expect(Array.from(sampleNext(tensor([[-inf, 2, -inf]]), { temperature: 0 }).data())).toEqual([1]);
    expect(Array.from(sampleNext(tensor([[-inf, 2, -inf]]), { generator: new Generator(0) }).data())).toEqual(
      [1],
    );
  });
});

describe('sampling filters on a large vocabulary', () => {
  it('select what sorting the whole row selects, ties and −Infinity included', () => {
    const g = new Generator(4);
    for (let trial = 0; trial < 20; trial++) {
      const V = 500 + trial * 37;
      // few distinct values, so ties are common; some tokens masked with −Infinity
      const row = Array.from({ length: V }, () =>
        g.uniform() < 0.1 ? Number.NEGATIVE_INFINITY : Math.round(g.uniform() * 40) / 8,
      );
      const t = tensor([row], { dtype: 'float64' });
      const k = 1 + ((trial * 13) % 60);
      const sorted = [...row].sort((a, b) => b - a);
      const kth = sorted[k - 1]!;
      expect(kept(topKFilter(t, k))).toEqual(
        row.flatMap((v, j) => (v >= kth && v > Number.NEGATIVE_INFINITY ? [j] : [])),
      );
      const p = 0.1 + (trial % 9) / 10;
      // reference: the order of the original definition, (value desc, id asc), walked token by token
      const order = row.map((_, j) => j).sort((a, b) => row[b]! - row[a]! || a - b);
      const peak = row[order[0]!]!;
      const weights = order.map((j) => Math.exp(row[j]! - peak));
      const total = weights.reduce((s, w) => s + w, 0);
      let cumulative = 0;
      const keep = new Set<number>();
      order.forEach((j, rank) => {
        if (cumulative < p * total && row[j]! > Number.NEGATIVE_INFINITY) keep.add(j);
        cumulative += weights[rank]!;
      });
      expect(kept(topPFilter(t, p))).toEqual([...keep].sort((a, b) => a - b));
    }
  });
});
