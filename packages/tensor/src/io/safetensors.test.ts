/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import expected from '../../fixtures/mixed.json';
import { arange, tensor, zeros } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { errorOf, valuesOf } from '../testing/index.js';
import { handMadeSafetensors as handMade } from './hand-made-safetensors.js';
import { halfToFloat, loadSafetensors, readSafetensorsHeader, saveSafetensors } from './safetensors.js';

const decodeValue = (v: number | string): number =>
  v === 'nan'
    ? Number.NaN
    : v === 'inf'
      ? Number.POSITIVE_INFINITY
      : v === '-inf'
        ? Number.NEGATIVE_INFINITY
        : Number(v);

describe('loadSafetensors on a file written by an independent (Python) writer', () => {
  const bytes = new Uint8Array(readFileSync(new URL('../../fixtures/mixed.safetensors', import.meta.url)));
  const loaded = loadSafetensors(bytes);

  it('finds every tensor, and nothing for __metadata__', () => {
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(expected.tensors).sort());
  });

  it.each(Object.entries(expected.tensors))('%s: dtype, shape and every value', (name, want) => {
    const t = loaded[name]!;
    expect(t.dtype).toBe(want.dtype);
    expect(t.shape).toEqual(want.shape);
    const values = valuesOf(t);
    const wanted = (want.values as (number | string)[]).map(decodeValue);
    expect(values).toHaveLength(wanted.length);
    values.forEach((v, i) => expect(Object.is(v, wanted[i]) || v === wanted[i]).toBe(true));
  });

  it('reads the header, metadata included', () => {
    const { header, dataStart } = readSafetensorsHeader(bytes);
    expect(header.__metadata__).toEqual(expected.metadata);
    expect(dataStart % 8).toBe(0);
    expect(header['ids.i64']).toMatchObject({ dtype: 'I64', shape: [4] });
  });

  it('loads from a Uint8Array that is a window into a larger buffer', () => {
    const big = new Uint8Array(bytes.length + 13);
    big.set(bytes, 5);
    const again = loadSafetensors(big.subarray(5, 5 + bytes.length));
    expect(valuesOf(again.i32!)).toEqual(valuesOf(loaded.i32!));
  });
});

describe('saveSafetensors round trips', () => {
  it('every dtype, 0-d and empty tensors, views, metadata', () => {
    const tensors: Record<string, Tensor> = {
      f32: tensor([
        [1.5, -2],
        [Number.NaN, Number.NEGATIVE_INFINITY],
      ]),
      f64: tensor([1 / 3, 1e-310], { dtype: 'float64' }),
      i32: tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: 'int32' }),
      bool: tensor([true, false, true]),
      scalar: tensor(4),
      empty: zeros([2, 0]),
      view: arange(12).reshape([3, 4]).transpose().slice(0, 1, 4, 2), // [2, 3] non-contiguous
    };
    const bytes = saveSafetensors(tensors, { format: 'pt', note: 'ünïcode' });
    const back = loadSafetensors(bytes);
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name]!.dtype).toBe(t.dtype);
      expect(back[name]!.shape).toEqual(t.shape);
      expect(valuesOf(back[name]!)).toEqual(valuesOf(t));
    }
    expect(readSafetensorsHeader(bytes).header.__metadata__).toEqual({ format: 'pt', note: 'ünïcode' });
  });

  it('pads the header to 8 bytes (counting UTF-8 bytes) and aligns each tensor to its element size', () => {
    for (const name of ['a', 'é', '名前', 'x'.repeat(13)]) {
      const bytes = saveSafetensors({
        [name]: tensor([true]),
        [`${name}2`]: tensor([1], { dtype: 'float64' }),
      });
      const { header, dataStart } = readSafetensorsHeader(bytes);
      expect(dataStart % 8).toBe(0);
      const f64 = header[`${name}2`] as { data_offsets: number[] };
      expect(f64.data_offsets[0]! % 8).toBe(0);
      expect(loadSafetensors(bytes)[name]!.toArray()).toEqual([true]);
    }
    const mixed = readSafetensorsHeader(
      saveSafetensors({
        b: tensor([true]),
        i: arange(1),
        d: tensor([1], { dtype: 'float64' }),
        f: tensor([2]),
      }),
    ).header as Record<string, { data_offsets: number[] }>;
    expect(['d', 'f', 'i', 'b'].map((k) => mixed[k]!.data_offsets[0])).toEqual([0, 8, 12, 16]);
  });

  it("rejects a tensor named '__metadata__'", () => {
    expect(errorOf(() => saveSafetensors({ __metadata__: tensor([1]) }))).toEqual({
      name: 'SafetensorsError',
      message: "safetensors: '__metadata__' is reserved, not a tensor name",
    });
  });

  it('writes the exact byte layout of the format', () => {
    const bytes = saveSafetensors({ w: tensor([1, -2]) });
    const json = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const headerLength = Math.ceil(json.length / 8) * 8;
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true))).toBe(headerLength);
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))).toBe(
      json.padEnd(headerLength, ' '),
    );
    const data = new DataView(bytes.buffer, 8 + headerLength);
    expect([data.getFloat32(0, true), data.getFloat32(4, true)]).toEqual([1, -2]);
    expect(bytes.length).toBe(8 + headerLength + 8);
  });
});

describe('loadSafetensors conversions and errors', () => {
  it('reads I64 as int32, and rejects values outside int32 naming the tensor and element', () => {
    const data = new Uint8Array(16);
    const view = new DataView(data.buffer);
    view.setBigInt64(0, -7n, true);
    view.setBigInt64(8, 2n ** 31n, true);
    const header = { ok: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } };
    expect(loadSafetensors(handMade(header, data.subarray(0, 8))).ok!.toArray()).toEqual([-7]);
    const bad = { big: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } };
    expect(errorOf(() => loadSafetensors(handMade(bad, data)))).toEqual({
      name: 'SafetensorsError',
      message: "safetensors: 'big' element 1 (2147483648) does not fit in int32",
    });
  });

  it('reads I16, I8 and U8 as int32', () => {
    const data = new Uint8Array([0xff, 0xff, 0x80, 0xff]);
    const header = {
      i16: { dtype: 'I16', shape: [1], data_offsets: [0, 2] },
      i8: { dtype: 'I8', shape: [1], data_offsets: [2, 3] },
      u8: { dtype: 'U8', shape: [1], data_offsets: [3, 4] },
    };
    const t = loadSafetensors(handMade(header, data));
    expect([t.i16!.item(), t.i8!.item(), t.u8!.item()]).toEqual([-1, -128, 255]);
    expect(t.u8!.dtype).toBe('int32');
  });

  it('halfToFloat decodes normals, subnormals, zeros, infinities and NaN', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0400)).toBe(2 ** -14);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x03ff)).toBe((1023 / 1024) * 2 ** -14);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(halfToFloat(0x3555)).toBe(0.333251953125);
  });

  it('fails loudly on malformed bytes', () => {
    const data = new Uint8Array(8);
    const cases: [Uint8Array, { name: string; message: string }][] = [
      [
        new Uint8Array(4),
        {
          name: 'SafetensorsError',
          message: 'safetensors: file is 4 bytes, shorter than the 8-byte header length',
        },
      ],
      [
        (() => {
          const b = new Uint8Array(16);
          new DataView(b.buffer).setBigUint64(0, 100n, true);
          return b;
        })(),
        {
          name: 'SafetensorsError',
          message: 'safetensors: header length 100 exceeds the 8 bytes that follow',
        },
      ],
      [handMade([1, 2]), { name: 'SafetensorsError', message: 'safetensors: header must be a JSON object' }],
      [
        handMade({ a: { dtype: 'F32', shape: [1] } }),
        { name: 'SafetensorsError', message: "safetensors: 'a' has no data_offsets" },
      ],
      [
        handMade({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data),
        {
          name: 'SafetensorsError',
          message: "safetensors: 'a' shape must be an array of non-negative integers, got [-1]",
        },
      ],
      [
        handMade({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, data),
        { name: 'DTypeError', message: "safetensors: 'a' has unsupported dtype C64" },
      ],
      [
        handMade({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, data),
        {
          name: 'SafetensorsError',
          message: "safetensors: 'a' data_offsets [0, 12] end past the 8 data bytes that follow the header",
        },
      ],
      [
        handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, data),
        {
          name: 'SafetensorsError',
          message: "safetensors: 'a' (F32 [2]) needs 8 bytes, but its data_offsets [0, 4] hold 4",
        },
      ],
    ];
    for (const [bytes, want] of cases) expect(errorOf(() => loadSafetensors(bytes))).toEqual(want);
    const notJson = handMade({});
    notJson.set(new TextEncoder().encode('{"a": '), 8);
    expect(errorOf(() => loadSafetensors(notJson))).toMatchObject({ name: 'SafetensorsError' });
  });
});
