import { describe, expect, it } from 'vitest';
import {
  allocStorage,
  DTYPES,
  type DType,
  dtypeOfArray,
  floatTypeFor,
  isDType,
  isFloatDType,
  promoteTypes,
} from './dtype.js';

describe('dtypes', () => {
  it('allocStorage gives zeroed arrays of the right type', () => {
    expect(allocStorage('float32', 3)).toEqual(new Float32Array(3));
    expect(allocStorage('float64', 2)).toBeInstanceOf(Float64Array);
    expect(allocStorage('int32', 2)).toBeInstanceOf(Int32Array);
    expect(allocStorage('bool', 2)).toBeInstanceOf(Uint8Array);
    expect(() => allocStorage('int64' as DType, 1)).toThrow("unknown dtype 'int64'");
  });

  it('dtypeOfArray maps typed arrays back to dtypes', () => {
    expect(dtypeOfArray(new Float32Array(1))).toBe('float32');
    expect(dtypeOfArray(new Float64Array(1))).toBe('float64');
    expect(dtypeOfArray(new Int32Array(1))).toBe('int32');
    expect(dtypeOfArray(new Uint8Array(1))).toBe('bool');
    expect(dtypeOfArray(new Int16Array(1))).toBeUndefined();
  });

  it('promoteTypes: bool < int32 < float32 < float64, symmetric', () => {
    const table: [DType, DType, DType][] = [
      ['bool', 'bool', 'bool'],
      ['bool', 'int32', 'int32'],
      ['int32', 'float32', 'float32'],
      ['bool', 'float64', 'float64'],
      ['float32', 'float64', 'float64'],
      ['int32', 'int32', 'int32'],
    ];
    for (const [a, b, want] of table) {
      expect(promoteTypes(a, b)).toBe(want);
      expect(promoteTypes(b, a)).toBe(want);
    }
    expect(DTYPES).toEqual(['bool', 'int32', 'float32', 'float64']);
  });

  it('float helpers', () => {
    expect(isFloatDType('float32')).toBe(true);
    expect(isFloatDType('int32')).toBe(false);
    expect(floatTypeFor('float64')).toBe('float64');
    expect(floatTypeFor('int32')).toBe('float32');
    expect(floatTypeFor('bool')).toBe('float32');
    expect(isDType('bool')).toBe(true);
    expect(isDType('uint8')).toBe(false);
    expect(isDType(undefined)).toBe(false);
  });
});
