import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeDelta } from '../../../scripts/wasm-delta.mjs';
import { applyDelta } from './delta.js';

/** A target made from `source` by replacing, inserting and deleting short runs, like a recompiled binary. */
const sourceAndEdited = fc.uint8Array({ minLength: 0, maxLength: 600 }).chain((source) =>
  fc
    .array(
      fc.record({
        at: fc.nat({ max: Math.max(source.length, 1) }),
        remove: fc.nat({ max: 8 }),
        insert: fc.uint8Array({ maxLength: 8 }),
      }),
      { maxLength: 12 },
    )
    .map((edits) => {
      let target = [...source];
      for (const e of edits) {
        const at = Math.min(e.at, target.length);
        target = [...target.slice(0, at), ...e.insert, ...target.slice(at + e.remove)];
      }
      return { source, target: Uint8Array.from(target) };
    }),
);

/** Bytes that repeat themselves at every distance, overlapping runs included, like macro-expanded code. */
const selfSimilar = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.nat(), fc.nat({ max: 60 })), {
    maxLength: 40,
  })
  .map((pieces) => {
    const out: number[] = [];
    for (const [fresh, from, length] of pieces) {
      out.push(...fresh);
      const start = from % out.length;
      for (let i = 0; i < length; i++) out.push(out[start + i]!);
    }
    return Uint8Array.from(out);
  });

const none = new Uint8Array(0);

describe('applyDelta', () => {
  it('rebuilds what encodeDelta encoded: edited, unrelated and self-similar targets', () => {
    fc.assert(
      fc.property(sourceAndEdited, ({ source, target }) => {
        expect(applyDelta(source, encodeDelta(source, target))).toEqual(target);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (source, target) => {
        expect(applyDelta(source, encodeDelta(source, target))).toEqual(target);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), selfSimilar, (source, target) => {
        expect(applyDelta(source, encodeDelta(source, target))).toEqual(target);
        expect(applyDelta(none, encodeDelta(none, target))).toEqual(target);
      }),
    );
  });

  it('copies backwards and forwards in the source and repeats its own bytes, in few bytes', () => {
    const source = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251);
    const target = Uint8Array.from([...source.subarray(2000, 3000), 1, 2, 3, ...source.subarray(0, 1500)]);
    const delta = encodeDelta(source, target);
    expect(applyDelta(source, delta)).toEqual(target);
    expect(delta.length).toBeLessThan(16);
    const runs = Uint8Array.from({ length: 5000 }, (_, i) => [9, 8, 7][i % 3]!);
    const packed = encodeDelta(none, runs); // insert 9 8 7, then one overlapping copy at distance 3
    expect(applyDelta(none, packed)).toEqual(runs);
    expect(packed.length).toBeLessThan(12);
  });

  it('names what is wrong in a corrupt delta', () => {
    const source = Uint8Array.from({ length: 64 }, (_, i) => i);
    const target = Uint8Array.from([...source.subarray(8, 40), 200, 201]);
    const delta = encodeDelta(source, target);
    expect(applyDelta(source, delta)).toEqual(target);
    expect(() => applyDelta(source, delta.subarray(0, 1))).toThrow(/wasm delta: truncated at byte 1/);
    expect(() => applyDelta(source, delta.subarray(0, delta.length - 1))).toThrow(
      /wasm delta: invalid instruction at byte \d+ \(kind 1, 2 bytes from \d+\) with 32 of 34 bytes written/,
    );
    expect(() => applyDelta(source.subarray(0, 20), delta)).toThrow(/kind 0, 32 bytes from 8\)/);
    expect(() => applyDelta(source, Uint8Array.from([...delta, 0]))).toThrow(/1 bytes left after the result/);
    // Hand-made: length 4, then one instruction each.
    expect(() => applyDelta(none, Uint8Array.of(4, 4 * 4 + 2, 1))).toThrow(/kind 2, 4 bytes from -1\)/);
    expect(() => applyDelta(none, Uint8Array.of(4, 4 * 4 + 3, 1))).toThrow(/kind 3/);
    expect(() => applyDelta(none, Uint8Array.of(4, 0 * 4 + 1))).toThrow(/kind 1, 0 bytes/);
    expect(() => applyDelta(none, Uint8Array.of(1, 2 * 4 + 1, 5, 6))).toThrow(
      /writes past the declared 1 bytes/,
    );
  });
});
