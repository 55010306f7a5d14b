/** Holes an id space may hold beyond one per token (p50k_base skips 50256; trained files skip special ids). */
const SLACK = 256;

/**
 * Whether ids up to `maxId` are dense enough to size tables by for `count` tokens: at most as many
 * holes as tokens, plus 256. Every real vocabulary is (OpenAI's have at most one hole), and the
 * check runs before anything is allocated, so a hostile id such as 2^31 is an error, not an
 * out-of-memory crash.
 */
export function isDenseEnough(maxId: number, count: number): boolean {
  return maxId < 2 * count + SLACK;
}

/** The end of an error message for ids that are not {@link isDenseEnough}. */
export function denseIdsRule(count: number): string {
  return `ids must run from 0 with at most ${count} + ${SLACK} gaps`;
}
