import { describe, expect, it } from 'vitest';
import { fnv1a32, splitBy, splitOf } from './hash-split.js';

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    // From the FNV reference test suite (Fowler/Noll/Vo): "" and "a", "foobar".
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes, not UTF-16 code units', () => {
    // 'é' is the two bytes c3 a9; hashing them by hand gives the same value
    const manual = [0xc3, 0xa9].reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5);
    expect(fnv1a32('é')).toBe(manual);
  });
});

describe('splitOf and splitBy', () => {
  it('puts buckets 0-17 in train, 18 in valid, 19 in test', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `key${i}`);
    for (const key of keys) {
      const bucket = fnv1a32(key) % 20;
      expect(splitOf(key)).toBe(bucket < 18 ? 'train' : bucket === 18 ? 'valid' : 'test');
    }
  });

  it('keeps the input order inside each split', () => {
    const items = Array.from({ length: 300 }, (_, i) => i);
    const splits = splitBy(items, String);
    for (const part of Object.values(splits)) expect(part).toEqual([...part].sort((a, b) => a - b));
    expect(splits.train.length + splits.valid.length + splits.test.length).toBe(300);
  });
});
