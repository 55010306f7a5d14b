import { TokenizerError } from '../errors.js';
import { base64DecodeInto, base64Encode } from './base64.js';
import { denseIdsRule, isDenseEnough } from './dense-ids.js';

/** A parsed `.tiktoken` file. */
export interface TiktokenRanks {
  /** `tokens[rank]` = the token's bytes (views into one buffer); holes where no line has the rank. */
  tokens: (Uint8Array | undefined)[];
  /** `lineOfRank[rank]` = the 1-based line that holds the rank (0 for a hole). */
  lineOfRank: Int32Array;
}

/**
 * Parses tiktoken's rank format: one token per line, `base64(bytes) rank`, the rank in decimal
 * digits. Blank lines are skipped. Ranks may leave holes, but at most as many as there are tokens
 * plus 256 (see `isDenseEnough`): the file is read and checked before anything is sized by its ranks.
 * @throws TokenizerError naming the line for a malformed line or a rank beyond that bound, and both
 * lines for a repeated rank.
 */
export function parseTiktoken(text: string): TiktokenRanks {
  const buffer = new Uint8Array(Math.ceil((text.length * 3) / 4));
  const ranks: number[] = [];
  const lines: number[] = [];
  const ends: number[] = []; // token i is buffer[ends[i - 1] ?? 0, ends[i])
  let lineNo = 0;
  let max = { rank: -1, line: 0, from: 0, to: 0 }; // the largest rank, where its digits are
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
    const rank = space < 0 || space >= lineEnd ? -1 : decimal(text, space + 1, lineEnd);
    const used = ends.length === 0 ? 0 : ends[ends.length - 1]!;
    const n = rank < 0 ? 0 : base64DecodeInto(text, lineStart, space, buffer, used);
    if (n <= 0) {
      throw new TokenizerError(
        `fromTiktoken: line ${lineNo} is not "base64 rank" with a decimal rank: ${JSON.stringify(text.slice(lineStart, Math.min(lineEnd, lineStart + 80)))}`,
      );
    }
    if (rank > max.rank) max = { rank, line: lineNo, from: space + 1, to: lineEnd };
    ranks.push(rank);
    lines.push(lineNo);
    ends.push(used + n);
  }
  const count = ranks.length;
  if (!isDenseEnough(max.rank, count)) {
    throw new TokenizerError(
      `fromTiktoken: line ${max.line} has rank ${text.slice(max.from, max.to)}, but the file holds ${count} tokens; ${denseIdsRule(count)}`,
    );
  }
  const size = max.rank + 1;
  const tokens = new Array<Uint8Array | undefined>(size);
  const lineOfRank = new Int32Array(size);
  for (let i = 0; i < count; i++) {
    const rank = ranks[i]!;
    if (lineOfRank[rank] !== 0) {
      throw new TokenizerError(
        `fromTiktoken: rank ${rank} appears twice, on lines ${lineOfRank[rank]} and ${lines[i]}`,
      );
    }
    lineOfRank[rank] = lines[i]!;
    tokens[rank] = buffer.subarray(i === 0 ? 0 : ends[i - 1]!, ends[i]!);
  }
  return { tokens, lineOfRank };
}

/** The value of the decimal digits `text[start, end)`, or -1 when there are none or another character. */
function decimal(text: string, start: number, end: number): number {
  if (start === end) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit; // may round past 2^53, but such a rank is refused as far too large anyway
  }
  return value;
}

/** Writes `tokens` (`tokens[rank]` = bytes; holes skipped) in tiktoken's rank format, by rank. */
export function toTiktokenText(tokens: readonly (Uint8Array | undefined)[]): string {
  const lines: string[] = [];
  tokens.forEach((bytes, rank) => {
    if (bytes !== undefined) lines.push(`${base64Encode(bytes)} ${rank}`);
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
