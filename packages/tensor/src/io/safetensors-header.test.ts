import { describe, expect, it } from 'vitest';
import { tensor } from '../ops/creation.js';
import { errorOf, valuesOf } from '../testing/index.js';
import { handMadeSafetensors as handMade } from './hand-made-safetensors.js';
import { loadSafetensors, readSafetensorsHeader, saveSafetensors } from './safetensors.js';

/** `n` float32 values 1, 2, 3, … as little-endian bytes. */
const f32 = (n: number) => new Uint8Array(Float32Array.from({ length: n }, (_, i) => i + 1).buffer);
const entry = (begin: unknown, end: unknown, shape: unknown = [1]) => ({
  dtype: 'F32',
  shape,
  data_offsets: [begin, end],
});
/** A key that is a prototype accessor on ordinary objects and must be an ordinary name here. */
const PROTO = '__proto__';
const rejects = (bytes: Uint8Array, message: string, name = 'SafetensorsError') =>
  expect(errorOf(() => loadSafetensors(bytes))).toEqual({ name, message });

describe('readSafetensorsHeader validates as the reference implementation does', () => {
  it('data_offsets are two non-negative integers, never strings or fractions', () => {
    rejects(
      handMade({ a: entry('0', '4') }, f32(1)),
      `safetensors: 'a' data_offsets must be two non-negative integers [begin, end], got ["0","4"]`,
    );
    rejects(
      handMade({ a: entry(0, 4.5) }, f32(2)),
      "safetensors: 'a' data_offsets must be two non-negative integers [begin, end], got [0,4.5]",
    );
    rejects(
      handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, f32(2)),
      "safetensors: 'a' data_offsets must be two non-negative integers [begin, end], got [0,4,8]",
    );
    rejects(
      handMade({ a: entry(4, 0, [0]) }, f32(1)),
      "safetensors: 'a' data_offsets [4, 0] end before they begin",
    );
  });

  it('the tensors cover the data contiguously, in offset order: no gap, no overlap, no trailing bytes', () => {
    rejects(
      handMade({ a: entry(0, 4), b: entry(8, 12) }, f32(3)),
      "safetensors: 'b' data_offsets [8, 12] should begin at 4, where 'a' ends (the tensors must cover the data without gaps or overlaps)",
    );
    rejects(
      handMade({ a: entry(0, 8, [2]), b: entry(4, 12, [2]) }, f32(3)),
      "safetensors: 'b' data_offsets [4, 12] should begin at 8, where 'a' ends (the tensors must cover the data without gaps or overlaps)",
    );
    rejects(
      handMade({ a: entry(4, 8) }, f32(2)),
      "safetensors: 'a' data_offsets [4, 8] should begin at 0, the start of the data (the tensors must cover the data without gaps or overlaps)",
    );
    rejects(
      handMade({ a: entry(0, 4) }, f32(2)),
      'safetensors: the tensors end at data byte 4, but 8 data bytes follow the header (4 left over)',
    );
    rejects(
      handMade({ a: entry(0, 4), b: entry(4, 8) }, f32(1)),
      "safetensors: 'b' data_offsets [4, 8] end past the 4 data bytes that follow the header",
    );
    // listed out of order in the JSON, contiguous by offset: fine, as for the reference reader
    const loaded = loadSafetensors(
      handMade({ b: entry(4, 8), a: entry(0, 4), empty: entry(8, 8, [0]) }, f32(2)),
    );
    expect([valuesOf(loaded.a!), valuesOf(loaded.b!), loaded.empty!.shape]).toEqual([[1], [2], [0]]);
  });

  it('a shape that claims more elements than the bytes hold is refused before anything is allocated', () => {
    rejects(
      handMade({ a: entry(0, 4, [2 ** 40, 2 ** 40]) }, f32(1)),
      "safetensors: 'a' (F32 [1099511627776, 1099511627776]) needs 4.835703278458517e+24 bytes, but its data_offsets [0, 4] hold 4",
    );
    rejects(
      handMade({ a: entry(0, 4, ['1']) }, f32(1)),
      `safetensors: 'a' shape must be an array of non-negative integers, got ["1"]`,
    );
    rejects(
      handMade({ a: entry(0, 4, 1) }, f32(1)),
      "safetensors: 'a' shape must be an array of non-negative integers, got 1",
    );
  });

  it('each entry is an object with a known dtype, a shape and data_offsets', () => {
    rejects(
      handMade({ a: 5 }),
      "safetensors: 'a' must be an object with dtype, shape and data_offsets, got 5",
    );
    rejects(handMade({ a: { dtype: 'F32', shape: [1] } }, f32(1)), "safetensors: 'a' has no data_offsets");
    rejects(
      handMade({ a: { ...entry(0, 4), dtype: 32 } }, f32(1)),
      "safetensors: 'a' dtype must be a string, got 32",
    );
    rejects(
      handMade({ a: { ...entry(0, 4), dtype: 'X9' } }, f32(1)),
      `safetensors: 'a' has unknown dtype "X9"`,
    );
    rejects(
      handMade({ a: { ...entry(0, 1), dtype: 'F8_E4M3' } }, f32(1).subarray(0, 1)),
      "safetensors: 'a' has unsupported dtype F8_E4M3",
      'DTypeError',
    );
    // fields the reader does not know are ignored, as serde does
    expect(loadSafetensors(handMade({ a: { ...entry(0, 4), extra: [1] } }, f32(1))).a!.toArray()).toEqual([
      1,
    ]);
  });

  it('a name or a field given twice is an error (JSON.parse would silently keep the last)', () => {
    const one = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    rejects(
      handMade(`{"a":${one},"a":${one}}`, f32(1)),
      'safetensors: header is not valid JSON (duplicate key "a" in the top level at position 54)',
    );
    rejects(
      handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"data_offsets":[4,8]}}', f32(2)),
      'safetensors: header is not valid JSON (duplicate key "data_offsets" in "a" at position 53)',
    );
  });

  it('a tensor may be called __proto__, and __metadata__ must map strings to strings', () => {
    const bytes = handMade({ ['__proto__']: entry(0, 4), toString: entry(4, 8) }, f32(2));
    const loaded = loadSafetensors(bytes);
    expect(Object.keys(loaded).sort()).toEqual(['__proto__', 'toString']);
    expect(valuesOf(loaded[PROTO]!)).toEqual([1]);
    rejects(
      handMade({ __metadata__: { step: 10 } }),
      'safetensors: __metadata__ "step" must be a string, got 10',
    );
    rejects(
      handMade({ __metadata__: ['a'] }),
      'safetensors: __metadata__ must be an object of strings, got ["a"]',
    );
    expect(
      readSafetensorsHeader(handMade({ __metadata__: { ['__proto__']: 'x' } })).header.__metadata__,
    ).toEqual(Object.fromEntries([['__proto__', 'x']]));
  });

  it('a header length over the reference limit (100 MB) is refused without reading on', () => {
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
    rejects(huge, 'safetensors: header length 18446744073709551615 is over the 100000000-byte limit');
  });
});

describe('saveSafetensors writes only what reads back the same', () => {
  it('round-trips a tensor named __proto__ and metadata keyed __proto__', () => {
    const tensors = Object.fromEntries([
      ['__proto__', tensor([1, 2])],
      ['constructor', tensor([3])],
    ]);
    const metadata = Object.fromEntries([['__proto__', 'm']]);
    const bytes = saveSafetensors(tensors, metadata);
    const back = loadSafetensors(bytes);
    expect(Object.keys(back).sort()).toEqual(['__proto__', 'constructor']);
    expect(valuesOf(back[PROTO]!)).toEqual([1, 2]);
    expect(Object.entries(readSafetensorsHeader(bytes).header.__metadata__ as object)).toEqual([
      ['__proto__', 'm'],
    ]);
  });

  it('refuses names and metadata other readers could not load: lone surrogates, non-string values', () => {
    expect(errorOf(() => saveSafetensors({ 'w\ud800': tensor([1]) }))).toEqual({
      name: 'SafetensorsError',
      message: 'safetensors: tensor name "w\\ud800" holds a lone surrogate, which UTF-8 cannot encode',
    });
    expect(errorOf(() => saveSafetensors({}, { step: 10 as never }))).toEqual({
      name: 'SafetensorsError',
      message: 'safetensors: metadata "step" must be a string, got number',
    });
    expect(errorOf(() => saveSafetensors({}, { note: '\udc00' }))).toEqual({
      name: 'SafetensorsError',
      message: 'safetensors: metadata "note" holds a lone surrogate, which UTF-8 cannot encode',
    });
  });
});
