import { fmtShape } from '../errors.js';
import { parseStrictJson } from './strict-json.js';

/** Thrown for malformed or unsupported safetensors bytes; the message says what and where. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** The longest header the reference implementation reads (`MAX_HEADER_SIZE`). */
const MAX_HEADER_BYTES = 100_000_000;

/** Bits per element of every dtype of the format (the reference's `Dtype::bitsize`). */
const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/** One tensor of a safetensors header, checked: its bytes are `[begin, end)` of the data section. */
export interface SafetensorsTensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Reads and checks the JSON header of safetensors bytes, as the reference implementation does: a
 * header length within the file and under 100 MB, a JSON object (a key given twice is an error),
 * `__metadata__` mapping strings to strings, and per tensor a dtype of the format, a shape of
 * non-negative integers and `data_offsets` of two integers holding exactly its bytes. Ordered by
 * offset, the tensors cover the data that follows the header exactly: no gap, overlap or leftover.
 * @returns the header as parsed (objects with a null prototype), where the data starts, and the
 * tensors in offset order.
 * @throws SafetensorsError naming the tensor and field.
 */
export function readSafetensorsHeader(bytes: Uint8Array): {
  header: Record<string, unknown>;
  dataStart: number;
  tensors: SafetensorsTensorInfo[];
} {
  const { header, dataStart } = parseHeader(bytes);
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') checkMetadata(entry);
    else tensors.push(tensorInfo(name, entry));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkLayout(tensors, bytes.length - dataStart);
  return { header, dataStart, tensors };
}

function parseHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8)
    throw new SafetensorsError(
      `safetensors: file is ${bytes.length} bytes, shorter than the 8-byte header length`,
    );
  const claimed = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (claimed > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      `safetensors: header length ${claimed} is over the ${MAX_HEADER_BYTES}-byte limit`,
    );
  }
  const length = Number(claimed);
  if (length > bytes.length - 8) {
    throw new SafetensorsError(
      `safetensors: header length ${length} exceeds the ${bytes.length - 8} bytes that follow`,
    );
  }
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length));
    header = parseStrictJson(text);
  } catch (error) {
    throw new SafetensorsError(`safetensors: header is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(header)) throw new SafetensorsError('safetensors: header must be a JSON object');
  return { header, dataStart: 8 + length };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkMetadata(metadata: unknown): void {
  if (metadata === null) return; // serde reads `null` as no metadata
  if (!isObject(metadata)) {
    throw new SafetensorsError(
      `safetensors: __metadata__ must be an object of strings, got ${JSON.stringify(metadata)}`,
    );
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new SafetensorsError(
        `safetensors: __metadata__ ${JSON.stringify(key)} must be a string, got ${JSON.stringify(value)}`,
      );
    }
  }
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function tensorInfo(name: string, entry: unknown): SafetensorsTensorInfo {
  const fail = (what: string) => new SafetensorsError(`safetensors: '${name}' ${what}`);
  if (!isObject(entry))
    throw fail(`must be an object with dtype, shape and data_offsets, got ${JSON.stringify(entry)}`);
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!Object.hasOwn(entry, field)) throw fail(`has no ${field}`);
  }
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string') throw fail(`dtype must be a string, got ${JSON.stringify(dtype)}`);
  if (!Object.hasOwn(DTYPE_BITS, dtype)) throw fail(`has unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isCount))
    throw fail(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw fail(`data_offsets must be two non-negative integers [begin, end], got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw fail(`data_offsets [${begin}, ${end}] end before they begin`);
  // A float product: a shape too large for exact integers can never match a span of the file.
  const bytes = (shape.reduce((n: number, d: number) => n * d, 1) * DTYPE_BITS[dtype]!) / 8;
  if (bytes !== end - begin) {
    throw fail(
      `(${dtype} ${fmtShape(shape)}) needs ${bytes} bytes, but its data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/** Checks that `tensors`, in offset order, cover `[0, dataLength)` one after another. */
function checkLayout(tensors: readonly SafetensorsTensorInfo[], dataLength: number): void {
  let previous: SafetensorsTensorInfo | undefined;
  for (const t of tensors) {
    const at = previous?.end ?? 0;
    if (t.begin !== at) {
      const where = previous ? `where '${previous.name}' ends` : 'the start of the data';
      throw new SafetensorsError(
        `safetensors: '${t.name}' data_offsets [${t.begin}, ${t.end}] should begin at ${at}, ${where} (the tensors must cover the data without gaps or overlaps)`,
      );
    }
    if (t.end > dataLength) {
      throw new SafetensorsError(
        `safetensors: '${t.name}' data_offsets [${t.begin}, ${t.end}] end past the ${dataLength} data bytes that follow the header`,
      );
    }
    previous = t;
  }
  const end = previous?.end ?? 0;
  if (end !== dataLength) {
    throw new SafetensorsError(
      `safetensors: the tensors end at data byte ${end}, but ${dataLength} data bytes follow the header (${dataLength - end} left over)`,
    );
  }
}
