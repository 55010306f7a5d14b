/**
 * A synchronous DEFLATE decoder (RFC 1951, raw: no zlib or gzip header), so the kernels ship
 * compressed and still load synchronously: `DecompressionStream` is asynchronous only. Each Huffman
 * code becomes one lookup table indexed by its longest code's worth of upcoming bits, which decodes
 * the tens of kilobytes it inflates once per process in a few milliseconds, cold.
 */

/**
 * A Huffman code as a table over the next `bits` input bits (first bit lowest): each entry is
 * `symbol << 4 | code length`, 0 where no code matches.
 */
interface Huffman {
  table: Int32Array;
  bits: number;
}

const MAX_BITS = 15;
/** Base lengths and extra bits of length symbols 257..285. */
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** Base distances and extra bits of distance symbols 0..29. */
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
/** The order in which a dynamic block lists the code lengths of the code-length alphabet. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * The canonical code of the given code lengths (0 = symbol unused), as a lookup table.
 * @throws Error when the lengths over-subscribe the code space, or leave part of it unused where
 * that is not allowed: never with `requireComplete`, else only by a code of at most one symbol.
 */
function huffman(lengths: ArrayLike<number>, requireComplete: boolean): Huffman {
  const counts = new Uint16Array(MAX_BITS + 1);
  for (let s = 0; s < lengths.length; s++) counts[lengths[s]!]!++;
  let left = 1;
  let bits = 0;
  const next = new Uint16Array(MAX_BITS + 1);
  for (let len = 1; len <= MAX_BITS; len++) {
    left = left * 2 - counts[len]!;
    if (left < 0) throw new Error('inflate: a Huffman code is over-subscribed');
    if (counts[len]) bits = len;
    if (len < MAX_BITS) next[len + 1] = (next[len]! + counts[len]!) * 2;
  }
  const used = lengths.length - counts[0]!;
  if (left > 0 && (requireComplete || used > 1)) throw new Error('inflate: a Huffman code is incomplete');
  const table = new Int32Array(1 << bits);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (!len) continue;
    // Codes are sent first bit first: index the table by the code's bits reversed.
    let code = next[len]!++;
    let reversed = 0;
    for (let i = 0; i < len; i++, code >>= 1) reversed = (reversed << 1) | (code & 1);
    for (let i = reversed; i < table.length; i += 1 << len) table[i] = (s << 4) | len;
  }
  return { table, bits };
}

let fixed: [Huffman, Huffman] | undefined;

/** The fixed literal/length and distance codes of block type 1. */
function fixedCodes(): [Huffman, Huffman] {
  fixed ??= [
    huffman(
      Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)),
      true,
    ),
    huffman(new Array(32).fill(5), true), // symbols 30 and 31 complete the code and are rejected when read
  ];
  return fixed;
}

/** Reads the compressed bits, first bit lowest; past the end it reads zeros, and throws once it would consume them. */
class BitReader {
  private pos = 0;
  private buffer = 0;
  private count = 0;

  constructor(private readonly data: Uint8Array) {}

  /** The next `need` (≤ 16) bits as an integer. */
  bits(need: number): number {
    this.fill(need);
    const value = this.buffer & ((1 << need) - 1);
    this.consume(need);
    return value;
  }

  /** The next symbol of code `h`. */
  decode(h: Huffman): number {
    this.fill(h.bits);
    const entry = h.table[this.buffer & ((1 << h.bits) - 1)]!;
    if (entry === 0) throw new Error('inflate: an invalid Huffman code');
    this.consume(entry & 15);
    return entry >> 4;
  }

  /** Skips to the next byte boundary and returns the next `length` bytes. */
  bytes(length: number): Uint8Array {
    this.pos -= this.count >> 3; // whole bytes read ahead go back; the rest of the current byte is padding
    this.buffer = 0;
    this.count = 0;
    if (this.pos + length > this.data.length) throw new Error('inflate: the compressed data ends early');
    this.pos += length;
    return this.data.subarray(this.pos - length, this.pos);
  }

  private fill(need: number): void {
    for (; this.count < need; this.count += 8) {
      if (this.pos >= this.data.length + 4) throw new Error('inflate: the compressed data ends early');
      this.buffer |= (this.data[this.pos++] ?? 0) << this.count;
    }
  }

  private consume(count: number): void {
    this.buffer >>>= count;
    this.count -= count;
    if (this.pos - (this.count >> 3) > this.data.length)
      throw new Error('inflate: the compressed data ends early');
  }
}

/** The literal/length and distance codes of a dynamic block, read from its header. */
function dynamicCodes(input: BitReader): [Huffman, Huffman] {
  const nlen = input.bits(5) + 257;
  const ndist = input.bits(5) + 1;
  const ncode = input.bits(4) + 4;
  if (nlen > 286 || ndist > 30) throw new Error('inflate: too many length or distance codes');
  const codeLengths = new Array<number>(19).fill(0);
  for (let i = 0; i < ncode; i++) codeLengths[CODE_LENGTH_ORDER[i]!] = input.bits(3);
  const lengthCode = huffman(codeLengths, true);
  const lengths: number[] = [];
  while (lengths.length < nlen + ndist) {
    const symbol = input.decode(lengthCode);
    if (symbol < 16) {
      lengths.push(symbol);
      continue;
    }
    if (symbol === 16 && lengths.length === 0) throw new Error('inflate: a repeat with no length before it');
    const value = symbol === 16 ? lengths.at(-1)! : 0;
    const repeat = symbol === 16 ? 3 + input.bits(2) : symbol === 17 ? 3 + input.bits(3) : 11 + input.bits(7);
    if (lengths.length + repeat > nlen + ndist) throw new Error('inflate: code lengths overrun the table');
    for (let i = 0; i < repeat; i++) lengths.push(value);
  }
  if (!lengths[256]) throw new Error('inflate: no code for the end of the block');
  return [huffman(lengths.slice(0, nlen), false), huffman(lengths.slice(nlen), false)];
}

/**
 * Inflates raw DEFLATE `data` that decompresses to exactly `size` bytes.
 * @throws Error saying what is wrong when `data` is not valid DEFLATE, ends early, or does not
 * decompress to `size` bytes.
 */
export function inflateRaw(data: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  const input = new BitReader(data);
  const overflow = () => new Error(`inflate: the data decompresses to more than ${size} bytes`);
  let written = 0;
  for (let last = 0; !last; ) {
    last = input.bits(1);
    const type = input.bits(2);
    if (type === 0) {
      const header = input.bytes(4);
      const length = header[0]! | (header[1]! << 8);
      if ((length ^ (header[2]! | (header[3]! << 8))) !== 0xffff)
        throw new Error('inflate: a stored block has a corrupt length');
      if (written + length > size) throw overflow();
      out.set(input.bytes(length), written);
      written += length;
      continue;
    }
    if (type === 3) throw new Error('inflate: invalid block type 3');
    const [lengthCode, distCode] = type === 1 ? fixedCodes() : dynamicCodes(input);
    for (;;) {
      const symbol = input.decode(lengthCode);
      if (symbol < 256) {
        if (written === size) throw overflow();
        out[written++] = symbol;
        continue;
      }
      if (symbol === 256) break;
      const l = symbol - 257;
      if (l >= 29) throw new Error(`inflate: invalid length symbol ${symbol}`);
      const length = LENGTH_BASE[l]! + input.bits(LENGTH_EXTRA[l]!);
      const d = input.decode(distCode);
      if (d >= 30) throw new Error(`inflate: invalid distance symbol ${d}`);
      const distance = DIST_BASE[d]! + input.bits(DIST_EXTRA[d]!);
      if (distance > written) throw new Error(`inflate: distance ${distance} reaches before the start`);
      if (written + length > size) throw overflow();
      for (const end = written + length; written < end; written++) out[written] = out[written - distance]!;
    }
  }
  if (written !== size)
    throw new Error(`inflate: the data decompresses to ${written} bytes, expected ${size}`);
  return out;
}
