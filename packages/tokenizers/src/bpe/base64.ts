const CODES = (() => {
  const t = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/**
 * Decodes standard base64 `text[start, end)` (padding optional) into `out` at `at`; returns the
 * number of bytes written, or -1 when a character is not base64. `out` needs `3/4` of the length.
 */
export function base64DecodeInto(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): number {
  while (end > start && text.charCodeAt(end - 1) === 61 /* = */) end--;
  let n = at;
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? CODES[c]! : -1;
    if (v < 0) return -1;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return n - at;
}

/** Standard base64 of `bytes`, with padding. */
export function base64Encode(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + alphabet[v & 63]!;
  }
  if (i < bytes.length) {
    const v = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    s += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]!;
    s += i + 1 < bytes.length ? `${alphabet[(v >> 6) & 63]}=` : '==';
  }
  return s;
}
