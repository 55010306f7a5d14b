import fc from 'fast-check';
import * as A from '../index.js';
import { type CaseSet, type Trial, values } from './arbitraries.js';

const dim = fc.integer({ min: 1, max: 4 });
const batch = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 });

/** A matmul of operands with shapes `a` and `b`, optionally transposed views of stored `[.., k, n]` tensors. */
function product(a: number[], b: number[], transposed = false): fc.Arbitrary<Trial> {
  const stored = (s: number[]) => (transposed ? [...s.slice(0, -2), s.at(-1)!, s.at(-2)!] : s);
  return fc.tuple(values(stored(a)), values(stored(b))).map(
    ([x, y]): Trial => ({
      inputs: [x, y],
      fn: transposed ? (u, v) => A.matmul(u.transpose(-2, -1), v.transpose(-2, -1)) : A.matmul,
    }),
  );
}

/** Gradient checks of matmul (ops/matmul.ts): every operand rank PyTorch accepts. */
export const matmulCases = {
  matmul: {
    '2-D @ 2-D': fc.tuple(dim, dim, dim).chain(([m, k, n]) => product([m, k], [k, n])),
    'batched, broadcast batch axes': fc
      .tuple(batch, fc.boolean(), dim, dim, dim)
      .chain(([b, oneSided, m, k, n]) => product([...b, m, k], [...b.map((d) => (oneSided ? 1 : d)), k, n])),
    'batched @ 2-D': fc.tuple(batch, dim, dim, dim).chain(([b, m, k, n]) => product([...b, m, k], [k, n])),
    'transposed (non-contiguous) operands': fc
      .tuple(batch, dim, dim, dim)
      .chain(([b, m, k, n]) => product([...b, m, k], [...b, k, n], true)),
    '1-D @ 1-D': dim.chain((k) => product([k], [k])),
    '1-D @ N-D': fc.tuple(batch, dim, dim).chain(([b, k, n]) => product([k], [...b, k, n])),
    'N-D @ 1-D': fc.tuple(batch, dim, dim).chain(([b, m, k]) => product([...b, m, k], [k])),
  },
} satisfies Record<string, CaseSet>;
