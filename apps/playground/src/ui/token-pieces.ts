import type { Tokenizer } from '@proj/tokenizers';

/** A run of text and the ids it encodes to: one token, or several when one character spans tokens. */
export interface TokenPiece {
  text: string;
  ids: number[];
}

/**
 * `text` cut into the pieces its tokens decode to, in order. A byte-level BPE token may hold part of a
 * character's UTF-8 bytes (alone it decodes to U+FFFD): such tokens are kept together with the
 * following ones until they decode to the next characters of `text`. The pieces join to
 * `decode(encode(text))`, which is `text` for every tokenizer here on the strings it can encode.
 * @throws what the tokenizer's `encode` throws (a character outside a char tokenizer's alphabet).
 */
export function tokenPieces(tokenizer: Tokenizer, text: string): TokenPiece[] {
  const all = tokenizer.encode(text);
  const pieces: TokenPiece[] = [];
  let ids: number[] = [];
  let at = 0;
  all.forEach((id, i) => {
    ids.push(id);
    const decoded = tokenizer.decode(ids);
    const next = all[i + 1];
    // a boundary splits no character: the piece and the next token decode apart as they do together
    const whole =
      next === undefined || decoded + tokenizer.decode([next]) === tokenizer.decode([...ids, next]);
    if (whole && text.startsWith(decoded, at)) {
      pieces.push({ text: decoded, ids });
      at += decoded.length;
      ids = [];
    }
  });
  if (ids.length > 0) pieces.push({ text: tokenizer.decode(ids), ids });
  return pieces;
}

/** A pastel background for the i-th piece: hues far apart for neighbours, readable under dark text. */
export function pieceColor(i: number): string {
  return `hsl(${Math.round((i * 137.508) % 360)} 75% 82%)`;
}
