import { allocStorage, type DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { bfloat16BitsToFloat, halfToFloat } from '../half-precision.js';
import { shapeSize } from '../shape.js';
import { Tensor } from '../tensor.js';
import { readSafetensorsHeader, SafetensorsError } from './safetensors-header.js';

export { halfToFloat, readSafetensorsHeader, SafetensorsError };

const WRITE_TYPES: Record<DType, { tag: string; bytes: number }> = {
  float32: { tag: 'F32', bytes: 4 },
  float64: { tag: 'F64', bytes: 8 },
  int32: { tag: 'I32', bytes: 4 },
  bool: { tag: 'BOOL', bytes: 1 },
};

/** Element sizes of every tag we can read. */
const READ_BYTES: Readonly<Record<string, number>> = {
  F32: 4,
  F64: 8,
  I32: 4,
  I64: 8,
  BOOL: 1,
  F16: 2,
  BF16: 2,
  U8: 1,
  I8: 1,
  I16: 2,
};

/**
 * Serialises named tensors in the safetensors format: an 8-byte little-endian header length, a JSON
 * header (`dtype`, `shape`, `data_offsets` per tensor, optional `__metadata__` of strings) padded with
 * spaces to a multiple of 8 bytes, then the raw little-endian data. As the reference implementation
 * does, tensors are laid out by element size (largest first), then name, so each starts aligned to
 * its element size.
 * @example const bytes = saveSafetensors({ 'wte.weight': w }, { format: 'pt' });
 * @throws SafetensorsError for what would not read back the same: a tensor named `__metadata__`, a
 * non-string metadata value, or a name or metadata string holding a lone surrogate (not UTF-8).
 */
export function saveSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const width = (name: string): number => WRITE_TYPES[tensors[name]!.dtype].bytes;
  const names = Object.keys(tensors).sort((a, b) => width(b) - width(a) || (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = Object.create(null); // `__proto__` is a name like any other
  if (metadata) header.__metadata__ = checkedMetadata(metadata);
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__')
      throw new SafetensorsError("safetensors: '__metadata__' is reserved, not a tensor name");
    checkEncodable(`tensor name ${JSON.stringify(name)}`, name);
    const t = tensors[name]!;
    const { tag, bytes } = WRITE_TYPES[t.dtype];
    const length = t.size * bytes;
    header[name] = { dtype: tag, shape: [...t.shape], data_offsets: [offset, offset + length] };
    offset += length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20); // space padding: data starts 8-aligned
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors[name]!.data();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    out.set(bytes, cursor); // typed arrays are little-endian on every platform JS runs on
    cursor += bytes.length;
  }
  return out;
}

/**
 * Parses safetensors bytes into tensors, keyed by name in an object with a null prototype (so a
 * tensor may be called `__proto__`). The header is checked first (see {@link readSafetensorsHeader}),
 * so nothing is allocated for a file whose offsets, shapes or dtypes do not add up. F32, F64, I32 and
 * BOOL load as is; I64 loads as int32 (each value checked to fit); I16, I8 and U8 as int32; F16 and
 * BF16 are converted to float32.
 * @throws SafetensorsError naming the tensor and field; DTypeError for a dtype it cannot read.
 */
export function loadSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  const { dataStart, tensors } = readSafetensorsHeader(bytes);
  const unreadable = tensors.find((t) => !Object.hasOwn(READ_BYTES, t.dtype));
  if (unreadable)
    throw new DTypeError(`safetensors: '${unreadable.name}' has unsupported dtype ${unreadable.dtype}`);
  const out: Record<string, Tensor> = Object.create(null);
  for (const { name, dtype, shape, begin, end } of tensors) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    out[name] = new Tensor(decode(name, dtype, view, shapeSize(shape)), shape);
  }
  return out;
}

function decode(name: string, dtype: string, view: DataView, count: number) {
  switch (dtype) {
    case 'F32': {
      const out = allocStorage('float32', count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = allocStorage('float64', count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'I32':
    case 'I16':
    case 'I8':
    case 'U8': {
      const out = allocStorage('int32', count);
      const width = READ_BYTES[dtype]!;
      for (let i = 0; i < count; i++) {
        const at = i * width;
        out[i] =
          width === 4
            ? view.getInt32(at, true)
            : width === 2
              ? view.getInt16(at, true)
              : dtype === 'I8'
                ? view.getInt8(at)
                : view.getUint8(at);
      }
      return out;
    }
    case 'I64': {
      const out = allocStorage('int32', count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) {
          throw new SafetensorsError(`safetensors: '${name}' element ${i} (${v}) does not fit in int32`);
        }
        out[i] = Number(v);
      }
      return out;
    }
    case 'BOOL': {
      const out = allocStorage('bool', count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) ? 1 : 0;
      return out;
    }
    case 'F16': {
      const out = allocStorage('float32', count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const out = allocStorage('float32', count);
      for (let i = 0; i < count; i++) out[i] = bfloat16BitsToFloat(view.getUint16(i * 2, true));
      return out;
    }
    default:
      throw new DTypeError(`safetensors: '${name}' has unsupported dtype ${dtype}`);
  }
}

/** A copy of `metadata` (null prototype), checked to hold only strings that UTF-8 can encode. */
function checkedMetadata(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(metadata)) {
    checkEncodable(`metadata key ${JSON.stringify(key)}`, key);
    if (typeof value !== 'string') {
      throw new SafetensorsError(
        `safetensors: metadata ${JSON.stringify(key)} must be a string, got ${typeof value}`,
      );
    }
    checkEncodable(`metadata ${JSON.stringify(key)}`, value);
    out[key] = value;
  }
  return out;
}

/** Refuses a string with a lone surrogate (`what` names it): UTF-8 cannot encode it, so it would not read back. */
function checkEncodable(what: string, text: string): void {
  if (/\p{Cs}/u.test(text))
    throw new SafetensorsError(`safetensors: ${what} holds a lone surrogate, which UTF-8 cannot encode`);
}
