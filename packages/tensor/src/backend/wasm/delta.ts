/**
 * Rebuilds a binary from `source` and the edits `encodeDelta` of `scripts/wasm-delta.mjs` made of
 * it, so the relaxed-SIMD kernels ship as a few KB of edits of the plain ones instead of a second
 * copy. The delta is LEB128 varints: the result's length, then instructions until it is full: odd
 * `2n + 1` inserts the next n delta bytes, even `2n` copies n source bytes starting at the end of the
 * previous copy (0 at first) moved by a zigzag-encoded offset that follows.
 * @throws Error naming the position when the delta is truncated, reaches outside `source`, or does
 * not fill exactly the length it declares.
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
    const header = varint();
    const n = Math.floor(header / 2);
    const insert = header % 2 === 1;
    const from = insert ? at : cursor + zigzag(varint());
    const bytes = insert ? delta : source;
    if (n === 0 || from < 0 || from + n > bytes.length || written + n > out.length)
      throw new Error(
        `wasm delta: instruction at byte ${at} ${insert ? 'inserts' : 'copies'} ${n} bytes ` +
          `from ${from} (of ${bytes.length}) at ${written} (of ${out.length})`,
      );
    out.set(bytes.subarray(from, from + n), written);
    written += n;
    if (insert) at += n;
    else cursor = from + n;
  }
  if (at !== delta.length) throw new Error(`wasm delta: ${delta.length - at} bytes left after the result`);
  return out;
}

function zigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
