import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import { handMadeSafetensors } from './hand-made-safetensors.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';

/** Cases per property: a few hundred in the normal suite, thousands under `pnpm fuzz`. */
const runs = Number(process.env.PROJ_FUZZ_RUNS ?? 150);

/** The dtypes the reader loads. */
const DTYPES = ['F32', 'F64', 'I32', 'I64', 'BOOL', 'F16', 'BF16', 'U8', 'I8', 'I16'];
/** Bytes per element, from the tag's bit count (`BF16` → 2; `BOOL` is a byte). */
const width = (dtype: string) => (dtype === 'BOOL' ? 1 : Number(/\d+/.exec(dtype)![0]) / 8);

interface Spec {
  name: string;
  dtype: string;
  shape: number[];
}

/** Names that trip up plain objects, and ordinary ones. */
const nameArb = fc.oneof(
  fc.constantFrom(
    'w',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '',
    'h.0.attn.c_attn.weight',
    'é名',
  ),
  fc.string({ maxLength: 6 }).filter((s) => s !== '__metadata__'),
);

/** A well-formed file: its tensors' specs, header (a null-prototype object) and data. */
const fileArb = fc
  .uniqueArray(
    fc.record({
      name: nameArb,
      dtype: fc.constantFrom(...DTYPES),
      shape: fc.array(fc.nat({ max: 3 }), { maxLength: 3 }),
    }),
    { selector: (s) => s.name, maxLength: 4 },
  )
  .chain((specs: Spec[]) => {
    const lengths = specs.map((s) => s.shape.reduce((n, d) => n * d, 1) * width(s.dtype));
    const total = lengths.reduce((a, b) => a + b, 0);
    return fc.record({
      specs: fc.constant(specs),
      data: fc.uint8Array({ minLength: total, maxLength: total }),
      metadata: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })), {
        nil: undefined,
      }),
    });
  })
  .map(({ specs, data, metadata }) => {
    const header: Record<string, unknown> = Object.create(null);
    if (metadata) header.__metadata__ = metadata;
    let offset = 0;
    for (const { name, dtype, shape } of specs) {
      const length = shape.reduce((n, d) => n * d, 1) * width(dtype);
      header[name] = { dtype, shape, data_offsets: [offset, offset + length] };
      offset += length;
    }
    return { specs, header, data };
  });

/** Values a hostile editor puts where the header wants a dtype, a shape, offsets or one of their numbers. */
const hostileArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '0',
    '4',
    '0x10',
    '3e2',
    '',
    -1,
    -0,
    0.5,
    1.5,
    2 ** 31,
    2 ** 32,
    2 ** 40,
    2 ** 53,
    2 ** 64,
    1e308,
    null,
    true,
    [],
    {},
    [0],
    [0, 1, 2],
    [2 ** 40, 2 ** 40],
    ['0', '4'],
    [4, 0],
    [0, 2 ** 53],
    'F32',
    'X9',
    'F8_E4M3',
    'C64',
  ),
  fc.integer({ min: -8, max: 64 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** One field of one entry (or `__metadata__`) replaced by a hostile value. */
function editField(header: Record<string, unknown>, pick: number, field: number, value: unknown): unknown {
  const names = Object.keys(header);
  if (names.length === 0) return { w: value };
  const name = names[pick % names.length]!;
  const entry = header[name] as Record<string, unknown>;
  const copy: Record<string, unknown> = Object.assign(Object.create(null), header);
  const paths: ((e: Record<string, unknown>) => Record<string, unknown>)[] = [
    (e) => ({ ...e, dtype: value }),
    (e) => ({ ...e, shape: value }),
    (e) => ({ ...e, data_offsets: value }),
    (e) => ({ ...e, data_offsets: [value, (e.data_offsets as unknown[])?.[1]] }),
    (e) => ({ ...e, data_offsets: [(e.data_offsets as unknown[])?.[0], value] }),
    (e) => ({ ...e, shape: [value, ...((e.shape as unknown[]) ?? [])] }),
    () => value as Record<string, unknown>,
  ];
  copy[name] = name === '__metadata__' ? { k: value } : paths[field % paths.length]!(entry);
  return copy;
}

/** The header's JSON with its first entry written twice (the second time under the last entry's name). */
function withRepeatedKey(header: Record<string, unknown>): string {
  const names = Object.keys(header);
  const json = JSON.stringify(header);
  if (names.length === 0) return json;
  const last = names[names.length - 1]!;
  return `${json.slice(0, -1)},${JSON.stringify(last)}:${JSON.stringify(header[names[0]!])}}`;
}

const mutationArb = fileArb.chain(({ header, data }) => {
  const bytes = handMadeSafetensors(header, data);
  return fc.oneof(
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
      const out = bytes.slice();
      out[at % out.length]! ^= mask;
      return out;
    }),
    fc.nat().map((n) => bytes.slice(0, n % (bytes.length + 1))),
    fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => concat(bytes, extra)),
    fc
      .oneof(
        fc.constantFrom(0n, 7n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n, 100_000_001n),
        fc.bigInt({ min: 0n, max: BigInt(bytes.length) }),
      )
      .map((length) => {
        const out = bytes.slice();
        new DataView(out.buffer).setBigUint64(0, length, true);
        return out;
      }),
    fc
      .tuple(fc.nat(), fc.nat(), hostileArb)
      .map(([pick, field, value]) => handMadeSafetensors(editField(header, pick, field, value), data)),
    fc.constant(handMadeSafetensors(withRepeatedKey(header), data)),
  );
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Loads `bytes`: a typed error, or tensors that hold no more elements than the file has bytes and that round-trip. */
function loadOrTypedError(bytes: Uint8Array): Record<string, Tensor> | undefined {
  let loaded: Record<string, Tensor>;
  try {
    loaded = loadSafetensors(bytes);
  } catch (error) {
    expect(['SafetensorsError', 'DTypeError']).toContain((error as Error).name);
    return undefined;
  }
  const elements = Object.values(loaded).reduce((n, t) => n + t.size, 0);
  expect(elements).toBeLessThanOrEqual(bytes.length);
  // what loaded follows the format: every entry loaded, integer offsets that span the data exactly
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  const { __metadata__: _metadata, ...entries } = header as Record<string, { data_offsets: unknown[] }>;
  expect(Object.keys(loaded).length).toBe(Object.keys(entries).length);
  let span = 0;
  for (const { data_offsets: offsets } of Object.values(entries)) {
    expect(offsets.every(Number.isInteger)).toBe(true);
    span += (offsets[1] as number) - (offsets[0] as number);
  }
  expect(span).toBe(bytes.length - 8 - length);
  const again = loadSafetensors(saveSafetensors(loaded));
  expect(Object.keys(again).sort()).toEqual(Object.keys(loaded).sort());
  for (const [name, t] of Object.entries(loaded)) {
    expect([again[name]!.dtype, again[name]!.shape]).toEqual([t.dtype, t.shape]);
    expect(Array.from(again[name]!.data())).toEqual(Array.from(t.data())); // flat: a [2^40, 0] shape is fine
  }
  return loaded;
}

describe('loadSafetensors on hostile bytes: it loads and round-trips, or throws a typed error', () => {
  it('well-formed files load with every name (__proto__ included) and shape', () => {
    fc.assert(
      fc.property(fileArb, ({ specs, header, data }) => {
        const bytes = handMadeSafetensors(header, data);
        const overflows = specs.some((s) => s.dtype === 'I64'); // an I64 value past int32 is refused
        const loaded = loadOrTypedError(bytes);
        if (loaded === undefined) expect(overflows).toBe(true);
        else {
          expect(Object.keys(loaded).sort()).toEqual(specs.map((s) => s.name).sort());
          for (const { name, shape } of specs) expect(loaded[name]!.shape).toEqual(shape);
        }
      }),
      { numRuns: runs },
    );
  });

  it('mutated files: flipped bytes, truncations, trailing bytes, header lengths, hostile fields, repeated keys', () => {
    fc.assert(
      fc.property(mutationArb, (bytes) => {
        loadOrTypedError(bytes);
      }),
      { numRuns: runs * 4 },
    );
  });

  it('random bytes, and random JSON as the header', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc
            .tuple(fc.jsonValue({ maxDepth: 3 }), fc.uint8Array({ maxLength: 16 }))
            .map(([h, d]) => handMadeSafetensors(h, d)),
        ),
        (bytes) => {
          loadOrTypedError(bytes);
        },
      ),
      { numRuns: runs },
    );
  });
});
