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

describe('applyDelta', () => {
  it('rebuilds what encodeDelta encoded, for edited and for unrelated targets', () => {
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
  });

  it('copies backwards and forwards in the source, and is small for a few edits', () => {
    const source = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251);
    const target = Uint8Array.from([...source.subarray(2000, 3000), 1, 2, 3, ...source.subarray(0, 1500)]);
    const delta = encodeDelta(source, target);
    expect(applyDelta(source, delta)).toEqual(target);
    expect(delta.length).toBeLessThan(16);
  });

  it('rejects a truncated delta, a copy outside the source and bytes after the result', () => {
    const source = Uint8Array.from({ length: 64 }, (_, i) => i);
    const target = Uint8Array.from([...source.subarray(8, 40), 200, 201]);
    const delta = encodeDelta(source, target);
    expect(() => applyDelta(source, delta.subarray(0, 1))).toThrow(/wasm delta: truncated at byte 1/);
    expect(() => applyDelta(source, delta.subarray(0, delta.length - 1))).toThrow(
      /wasm delta: .*inserts 2 bytes from \d+ \(of \d+\) at 32 \(of 34\)/,
    );
    expect(() => applyDelta(source.subarray(0, 20), delta)).toThrow(
      /wasm delta: .*copies 32 bytes from 8 \(of 20\)/,
    );
    expect(() => applyDelta(source, Uint8Array.from([...delta, 0]))).toThrow(/1 bytes left after the result/);
    // encodeDelta never writes an empty instruction, so one means a corrupt delta
    expect(() => applyDelta(source, Uint8Array.from([4, 0, 0]))).toThrow(/copies 0 bytes/);
  });
});
