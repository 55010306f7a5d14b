// Encodes one binary as edits of another, for `src/backend/wasm/delta.ts` (`applyDelta`) to rebuild.
// The two kernel builds differ only where `f32x4.relaxed_madd` was lowered to a multiply and an add,
// so the relaxed build ships as a few KB of edits of the plain one instead of a second copy.
//
// Format: LEB128 varints. First the target's length, then instructions until the target is full:
// odd `2n + 1` inserts the next n bytes of the delta; even `2n` (n > 0) copies n bytes of the source,
// starting at the end of the previous copy (0 at first) moved by a zigzag-encoded varint offset.

/** Appends `n` (a non-negative integer) as an unsigned LEB128 varint. */
function writeVarint(out, n) {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

/**
 * `target` as edits of `source` (both Uint8Arrays): greedy longest matches of at least `minMatch`
 * bytes, found through an index of the source's `minMatch`-byte substrings; a match that continues
 * the previous copy wins a tie, since its offset costs one byte.
 */
export function encodeDelta(source, target, minMatch = 6) {
  const gram = (bytes, at) => String.fromCharCode(...bytes.subarray(at, at + minMatch));
  const index = new Map();
  for (let i = 0; i + minMatch <= source.length; i++) {
    const key = gram(source, i);
    const list = index.get(key);
    if (list) list.push(i);
    else index.set(key, [i]);
  }
  const out = [];
  writeVarint(out, target.length);
  let literal = [];
  const flushLiteral = () => {
    if (literal.length === 0) return;
    writeVarint(out, literal.length * 2 + 1);
    out.push(...literal);
    literal = [];
  };
  let cursor = 0;
  let i = 0;
  while (i < target.length) {
    let start = -1;
    let length = 0;
    const candidates = i + minMatch <= target.length ? (index.get(gram(target, i)) ?? []) : [];
    for (const from of candidates) {
      let n = 0;
      while (i + n < target.length && from + n < source.length && target[i + n] === source[from + n]) n++;
      if (n > length || (n === length && from === cursor)) {
        start = from;
        length = n;
      }
    }
    if (length < minMatch) {
      literal.push(target[i++]);
      continue;
    }
    flushLiteral();
    const offset = start - cursor;
    writeVarint(out, length * 2);
    writeVarint(out, offset < 0 ? -offset * 2 - 1 : offset * 2);
    cursor = start + length;
    i += length;
  }
  flushLiteral();
  return Uint8Array.from(out);
}
