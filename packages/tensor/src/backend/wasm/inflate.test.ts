import { constants, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inflateRaw } from './inflate.js';

/** Bytes with repeats at every distance, like code: random runs, some copied from earlier on. */
const compressible = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), fc.nat({ max: 300 })), {
    maxLength: 80,
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

/** Whether two byte arrays are equal (vitest's element-wise `toEqual` is slow on long arrays). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

const settings = [
  { level: 9 },
  { level: 1 },
  { level: 0 }, // stored blocks
  { strategy: constants.Z_FIXED }, // the fixed Huffman codes
  { strategy: constants.Z_HUFFMAN_ONLY }, // literals only
  { strategy: constants.Z_RLE }, // distance 1 only
];

describe('inflateRaw', () => {
  it('inflates what zlib deflates, at every level and strategy', () => {
    fc.assert(
      fc.property(fc.oneof(compressible, fc.uint8Array({ maxLength: 2000 })), (bytes) => {
        for (const options of settings)
          expect(inflateRaw(deflateRawSync(bytes, options), bytes.length)).toEqual(bytes);
      }),
      { numRuns: 60 },
    );
  });

  it('inflates long inputs: several blocks, stored ones between coded ones, distances near 32 KiB', () => {
    // Repetitive text, then random bytes (zlib stores those blocks as they are), then random bytes
    // with runs copied from 30,000 bytes back (zlib's longest distance is 32,506).
    const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog; '.repeat(1200));
    const bytes = new Uint8Array(text.length + 100_000);
    bytes.set(text);
    let state = 1;
    for (let i = text.length; i < bytes.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const farRun = i >= text.length + 50_000 && (i >> 5) % 2 === 0;
      bytes[i] = farRun ? bytes[i - 30_000]! : state >>> 24;
    }
    for (const options of settings)
      expect(
        same(inflateRaw(deflateRawSync(bytes, options), bytes.length), bytes),
        JSON.stringify(options),
      ).toBe(true);
  });

  it('inflates a stored block that follows a coded one (a sync flush, then stored data)', () => {
    const text = new TextEncoder().encode('stored after coded '.repeat(300));
    const raw = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919) % 253);
    const stream = Buffer.concat([
      deflateRawSync(text, { finishFlush: constants.Z_SYNC_FLUSH }), // ends in an empty stored block
      deflateRawSync(raw, { level: 0 }),
    ]);
    const expected = Uint8Array.from([...text, ...raw]);
    expect(same(inflateRaw(stream, expected.length), expected)).toBe(true);
  });

  it('goes back to the byte boundary when a long code table read ahead of a stored block', () => {
    // A dynamic block whose end-of-block code is 1 bit long while its longest code is 15 bits, so the
    // decoder has read two bytes ahead when the block ends; then a stored block of 3 bytes.
    const bits: number[] = [];
    const field = (value: number, n: number) => {
      for (let i = 0; i < n; i++) bits.push((value >> i) & 1); // header fields: lowest bit first
    };
    const code = (value: number, n: number) => {
      for (let i = n - 1; i >= 0; i--) bits.push((value >> i) & 1); // Huffman codes: highest bit first
    };
    field(0, 1); // not the last block
    field(2, 2); // dynamic
    field(0, 5); // 257 literal/length codes
    field(0, 5); // 1 distance code
    field(15, 4); // all 19 code-length code lengths follow
    // Code lengths 1..15 and 18 all get 4-bit codes: symbol s < 16 is code s - 1, 18 is 0b1111.
    for (const symbol of [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15])
      field(symbol === 0 || symbol === 16 || symbol === 17 ? 0 : 4, 3);
    for (let length = 2; length <= 15; length++) code(length - 1, 4); // literals 0..13: lengths 2..15
    code(15 - 1, 4); // literal 14: length 15; with the 1-bit end-of-block code the code is complete
    code(0b1111, 4);
    field(138 - 11, 7); // literals 15..152 unused
    code(0b1111, 4);
    field(103 - 11, 7); // literals 153..255 unused
    code(0, 4); // end of block: length 1
    code(0, 4); // the one distance code: length 1
    code(0, 1); // end of block
    field(1, 1); // the last block
    field(0, 2); // stored
    while (bits.length % 8) bits.push(0);
    const bytes = Array.from({ length: bits.length / 8 }, (_, i) =>
      bits.slice(i * 8, i * 8 + 8).reduce((byte, bit, j) => byte | (bit << j), 0),
    );
    const stream = Uint8Array.from([...bytes, 3, 0, 0xfc, 0xff, 7, 8, 9]);
    expect(inflateRaw(stream, 3)).toEqual(Uint8Array.of(7, 8, 9));
  });

  it('says what is wrong with corrupt or mismatched data', () => {
    const bytes = new TextEncoder().encode('tensor '.repeat(200));
    const packed = deflateRawSync(bytes, { level: 9 });
    expect(() => inflateRaw(packed, bytes.length - 1)).toThrow(/decompresses to more than 1399 bytes/);
    expect(() => inflateRaw(packed, bytes.length + 1)).toThrow(/decompresses to 1400 bytes, expected 1401/);
    expect(() => inflateRaw(packed.subarray(0, packed.length - 2), bytes.length)).toThrow(/ends early/);
    expect(() => inflateRaw(Uint8Array.of(0b111), 0)).toThrow(/invalid block type 3/);
    const stored = deflateRawSync(bytes.subarray(0, 10), { level: 0 });
    stored[3]! ^= 1; // the one's complement of the length no longer matches
    expect(() => inflateRaw(stored, 10)).toThrow(/stored block has a corrupt length/);
    // Fixed-code blocks, bits first to last: final, type 1, then length code 257 and distance code 0
    // (a copy from before the start), or length code 286 (unused).
    expect(() => inflateRaw(Uint8Array.of(0x03, 0x02), 3)).toThrow(/distance 1 reaches before the start/);
    expect(() => inflateRaw(Uint8Array.of(0x1b, 0x03), 3)).toThrow(/invalid length symbol 286/);
  });
});
