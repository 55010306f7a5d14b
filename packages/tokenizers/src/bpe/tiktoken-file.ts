import { TokenizerError } from '../errors.js';
import { base64DecodeInto, base64Encode } from './base64.js';

/**
 * Parses tiktoken's rank format: one token per line, `base64(bytes) rank`. Returns `tokens` with
 * `tokens[rank]` = the bytes (views into one buffer). Blank lines are skipped.
 * @throws TokenizerError for a malformed line or a repeated rank.
 */
export function parseTiktoken(text: string): Uint8Array[] {
  const buffer = new Uint8Array(Math.ceil((text.length * 3) / 4));
  const tokens: Uint8Array[] = [];
  let used = 0;
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const lineStart = start;
    start = end + 1;
    let lineEnd = end;
    while (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) <= 32) lineEnd--;
    if (lineEnd === lineStart) continue;
    const space = text.indexOf(' ', lineStart);
    const rank = space < 0 || space >= lineEnd ? Number.NaN : Number(text.slice(space + 1, lineEnd));
    const bad = () =>
      `fromTiktoken: line ${lineNo} is not "base64 rank": ${JSON.stringify(text.slice(lineStart, Math.min(lineEnd, lineStart + 80)))}`;
    if (!Number.isInteger(rank) || rank < 0) throw new TokenizerError(bad());
    const n = base64DecodeInto(text, lineStart, space, buffer, used);
    if (n <= 0) throw new TokenizerError(bad());
    if (tokens[rank] !== undefined)
      throw new TokenizerError(`fromTiktoken: rank ${rank} appears twice (line ${lineNo})`);
    tokens[rank] = buffer.subarray(used, used + n);
    used += n;
  }
  return tokens;
}

/** Writes `tokens` (`tokens[rank]` = bytes; holes skipped) in tiktoken's rank format, by rank. */
export function toTiktokenText(tokens: readonly (Uint8Array | undefined)[]): string {
  const lines: string[] = [];
  tokens.forEach((bytes, rank) => {
    if (bytes !== undefined) lines.push(`${base64Encode(bytes)} ${rank}`);
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
