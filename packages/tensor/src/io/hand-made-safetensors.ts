/**
 * Test-only (not exported from the package): safetensors bytes assembled by hand, to feed the reader
 * files our writer would never produce.
 */

/**
 * `header` (an object, stringified; or raw JSON text, for what `JSON.stringify` cannot write, such as
 * a repeated key) space-padded to 8 bytes, behind its little-endian u64 length, then `data`.
 */
export function handMadeSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  const out = new Uint8Array(8 + padded.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded.length), true);
  out.set(padded, 8);
  out.set(data, 8 + padded.length);
  return out;
}
