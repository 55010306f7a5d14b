/** The three parts of a data set. */
export type SplitName = 'train' | 'valid' | 'test';

/** A data set cut into training, validation and test parts. */
export interface Splits<T> {
  train: T[];
  valid: T[];
  test: T[];
}

const encoder = new TextEncoder();

/**
 * 32-bit FNV-1a of the UTF-8 bytes of `text` (offset basis 2166136261, prime 16777619), as an
 * unsigned integer.
 * @example fnv1a32('a') // 0xe40c292c
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/**
 * The split a key belongs to, 90/5/5: bucket `fnv1a32(key) % 20`, buckets 0–17 train, 18 valid,
 * 19 test. The same key lands in the same split on every machine and in every demo.
 * @example splitOf('hello') // 'train'
 */
export function splitOf(key: string): SplitName {
  const bucket = fnv1a32(key) % 20;
  return bucket < 18 ? 'train' : bucket === 18 ? 'valid' : 'test';
}

/** Sorts `items` into their splits by `splitOf(keyOf(item))`, keeping their order within each split. */
export function splitBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Splits<T> {
  const out: Splits<T> = { train: [], valid: [], test: [] };
  for (const item of items) out[splitOf(keyOf(item))].push(item);
  return out;
}
