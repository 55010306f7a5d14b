// Encodes a binary as edits of another (or of nothing), for `src/backend/wasm/delta.ts`
// (`applyDelta`) to rebuild. It is LZ77 with a second dictionary: a copy comes from the source or from
// the bytes already rebuilt. The kernels are macro-expanded code, so copies from their own earlier
// bytes shrink the plain build to under a third, and the relaxed build, which differs from the plain one
// only where `f32x4.relaxed_madd` was lowered to a multiply and an add, is a few KB of edits of it.
// Decoding is a few thousand block copies: fast even before the JavaScript engine has warmed up.
//
// Format: LEB128 varints. First the result's length, then instructions until the result is full, each
// a header `4n + kind` (n > 0) and, for copies, one more varint:
//   kind 0: copy n source bytes, starting at the end of the previous source copy (0 at first) moved by
//           a zigzag-encoded offset (0, -1, 1, -2, … as 0, 1, 2, 3, …);
//   kind 1: insert the next n bytes of the delta;
//   kind 2: copy n bytes of the result itself, starting `distance` (≥ 1) bytes before its current end
//           (distance < n repeats the last `distance` bytes).

/** How many recent positions of each 4-byte prefix the encoder tries (bounds its time, not correctness). */
const CANDIDATES = 256;
const MIN_MATCH = 4;
/**
 * Bytes a copy must save over inserting its bytes. Fewer, longer instructions decode faster before the
 * engine has warmed up: for the plain kernels 6 gives half the instructions of 2 (2,400 against
 * 4,700) for 3 KB more and the same gzip size, and keeps Node's import of the package as fast as when
 * the kernels shipped uncompressed.
 */
const MIN_SAVING = 6;

/** Appends `n` (a non-negative integer) as an unsigned LEB128 varint. */
function writeVarint(out, n) {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

/** Bytes of `n` as a varint. */
function varintBytes(n) {
  let bytes = 1;
  for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes++;
  return bytes;
}

/** Positions of each `MIN_MATCH`-byte string of `bytes`, most recent last; `add(i)` indexes position i. */
function prefixIndex(bytes) {
  const positions = new Map();
  const key = (at) => String.fromCharCode(...bytes.subarray(at, at + MIN_MATCH));
  return {
    add(at) {
      const list = positions.get(key(at));
      if (list) list.push(at);
      else positions.set(key(at), [at]);
    },
    /** Recent positions whose string equals the one at `at` of `other`. */
    lookup(other, at) {
      return (positions.get(String.fromCharCode(...other.subarray(at, at + MIN_MATCH))) ?? []).slice(
        -CANDIDATES,
      );
    },
  };
}

/** Length of the common run of `a` from `i` and `b` from `j`. */
function runLength(a, i, b, j) {
  let n = 0;
  while (i + n < a.length && j + n < b.length && a[i + n] === b[j + n]) n++;
  return n;
}

/**
 * `target` as edits of `source` (Uint8Arrays; `source` may be empty): at each position the copy that
 * saves the most bytes over inserting them (from the source or from the target's own earlier bytes),
 * if it saves at least `MIN_SAVING`, else one inserted byte.
 */
export function encodeDelta(source, target) {
  const fromSource = prefixIndex(source);
  for (let i = 0; i + MIN_MATCH <= source.length; i++) fromSource.add(i);
  const fromTarget = prefixIndex(target);
  let indexed = 0;
  const out = [];
  writeVarint(out, target.length);
  let literal = [];
  const flushLiteral = () => {
    if (literal.length === 0) return;
    writeVarint(out, literal.length * 4 + 1);
    out.push(...literal);
    literal = [];
  };
  let cursor = 0;
  for (let i = 0; i < target.length; ) {
    for (; indexed < i && indexed + MIN_MATCH <= target.length; indexed++) fromTarget.add(indexed);
    let best = { saved: MIN_SAVING - 1, length: 0, kind: 1, arg: 0, from: 0 };
    if (i + MIN_MATCH <= target.length) {
      for (const from of fromSource.lookup(target, i)) {
        const length = runLength(target, i, source, from);
        const offset = from - cursor;
        const arg = offset < 0 ? -offset * 2 - 1 : offset * 2;
        const saved = length - varintBytes(length * 4) - varintBytes(arg);
        if (saved > best.saved) best = { saved, length, kind: 0, arg, from };
      }
      for (const from of fromTarget.lookup(target, i)) {
        const length = runLength(target, i, target, from);
        const saved = length - varintBytes(length * 4 + 2) - varintBytes(i - from);
        if (saved > best.saved) best = { saved, length, kind: 2, arg: i - from, from };
      }
    }
    if (best.kind === 1) {
      literal.push(target[i++]);
      continue;
    }
    flushLiteral();
    writeVarint(out, best.length * 4 + best.kind);
    writeVarint(out, best.arg);
    if (best.kind === 0) cursor = best.from + best.length;
    i += best.length;
  }
  flushLiteral();
  return Uint8Array.from(out);
}
