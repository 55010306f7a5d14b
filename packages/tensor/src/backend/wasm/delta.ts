/**
 * Rebuilds a binary from `source` (possibly empty) and the edits `encodeDelta` of
 * `scripts/wasm-delta.mjs` made of it: LZ77 whose copies come from the source or from the bytes
 * already rebuilt. The kernels ship this way, the plain build as edits of nothing (copies from its own
 * earlier bytes) and the relaxed build as edits of the plain one. The delta is LEB128 varints: the
 * result's length, then instructions until it is full, each a header `4n + kind` (n > 0):
 * - kind 0, then a zigzag offset: copy n source bytes from the end of the previous source copy (0 at
 *   first) moved by the offset;
 * - kind 1: insert the next n delta bytes;
 * - kind 2, then a distance ≥ 1: copy n bytes of the result from `distance` bytes before its end (a
 *   distance below n repeats the last `distance` bytes).
 * @throws Error naming the position when the delta is truncated, has an invalid instruction, reaches
 * outside what it copies from, or does not fill exactly the length it declares.
 */
export function applyDelta(source: Uint8Array, delta: Uint8Array): Uint8Array<ArrayBuffer> {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const byte = delta[at++];
      if (byte === undefined) throw new Error(`wasm delta: truncated at byte ${at - 1}`);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
    }
  };
  const out = new Uint8Array(varint());
  let written = 0;
  let cursor = 0;
  while (written < out.length) {
    const start = at;
    const header = varint();
    const n = Math.floor(header / 4);
    const kind = header % 4;
    const from = kind === 0 ? cursor + zigzag(varint()) : kind === 1 ? at : written - varint();
    const bytes = kind === 0 ? source : kind === 1 ? delta : out;
    const inside = kind === 2 ? from >= 0 && from < written : from >= 0 && from + n <= bytes.length;
    if (kind === 3 || n === 0 || !inside)
      throw new Error(
        `wasm delta: invalid instruction at byte ${start} (kind ${kind}, ${n} bytes from ${from}) ` +
          `with ${written} of ${out.length} bytes written`,
      );
    if (written + n > out.length)
      throw new Error(
        `wasm delta: instruction at byte ${start} writes past the declared ${out.length} bytes`,
      );
    if (kind !== 2) out.set(bytes.subarray(from, from + n), written);
    else if (from + n <= written) out.copyWithin(written, from, from + n);
    else for (let i = 0; i < n; i++) out[written + i] = out[from + i]!; // overlapping: repeats
    written += n;
    if (kind === 0) cursor = from + n;
    if (kind === 1) at += n;
  }
  if (at !== delta.length) throw new Error(`wasm delta: ${delta.length - at} bytes left after the result`);
  return out;
}

function zigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
