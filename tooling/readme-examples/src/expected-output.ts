/** Stands for any text within one line of a README's stated output (digits that rounding moves, timings). */
export const WILDCARD = '…';

/**
 * `expected` with each line that matches the corresponding line of `actual` replaced by that line,
 * so that comparing the result with `actual` shows only the lines that differ. A line matches when
 * it is equal, or when its `…` wildcards can each stand for some text (possibly empty) of the
 * actual line. Trailing whitespace and trailing blank lines are ignored on both sides.
 */
export function resolveExpected(expected: string, actual: string): { expected: string; actual: string } {
  const want = normalise(expected);
  const got = normalise(actual);
  const resolved = want.map((line, i) => {
    const candidate = got[i];
    return candidate !== undefined && lineMatches(line, candidate) ? candidate : line;
  });
  return { expected: resolved.join('\n'), actual: got.join('\n') };
}

function normalise(text: string): string[] {
  const lines = text.split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

function lineMatches(pattern: string, line: string): boolean {
  if (!pattern.includes(WILDCARD)) return pattern === line;
  const escaped = pattern.split(WILDCARD).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*?')}$`, 'u').test(line);
}
