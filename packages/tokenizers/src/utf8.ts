/**
 * UTF-8 helpers. Encoding follows the WHATWG encoder (and tiktoken, which sees such text after
 * Python's replacement): a lone surrogate becomes U+FFFD (EF BF BD). Decoding keeps a leading
 * byte-order mark and replaces invalid or cut sequences with U+FFFD.
 */

const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Writes the UTF-8 bytes of `s[start, end)` into `buf` from index 0 and returns the byte count.
 * `buf` must hold at least `3 * (end - start)` bytes.
 */
export function utf8EncodeInto(s: string, start: number, end: number, buf: Uint8Array): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[n++] = c;
    } else if (c < 0x800) {
      buf[n++] = 0xc0 | (c >> 6);
      buf[n++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < end ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          buf[n++] = 0xf0 | (c >> 18);
          buf[n++] = 0x80 | ((c >> 12) & 0x3f);
          buf[n++] = 0x80 | ((c >> 6) & 0x3f);
          buf[n++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      buf[n++] = 0xe0 | (c >> 12);
      buf[n++] = 0x80 | ((c >> 6) & 0x3f);
      buf[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

/** The UTF-8 bytes of `s` (lone surrogates as U+FFFD). */
export function utf8Encode(s: string): Uint8Array {
  const buf = new Uint8Array(3 * s.length);
  return buf.slice(0, utf8EncodeInto(s, 0, s.length, buf));
}

/** Decodes UTF-8, replacing invalid or cut sequences with U+FFFD and keeping a leading BOM. */
export function utf8Decode(bytes: Uint8Array): string {
  return lenient.decode(bytes);
}
