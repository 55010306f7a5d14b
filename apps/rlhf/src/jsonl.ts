import { readFile, writeFile } from 'node:fs/promises';

/** Writes one JSON object per line. */
export async function writeJsonl(path: string, rows: readonly unknown[]): Promise<void> {
  await writeFile(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** The `prompt` fields of a JSON Lines file of `{ "prompt": … }`. */
export async function readPrompts(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const prompt = (JSON.parse(line) as { prompt?: unknown }).prompt;
      if (typeof prompt !== 'string') throw new Error(`${path}:${i + 1}: no "prompt"`);
      return prompt;
    });
}
