/** The corpora the page ships, made at build time from npm packages (see `build/corpus-assets.ts`). */
export const CORPORA = {
  sotu: { name: 'sotu', url: 'corpora/sotu.txt' },
  'moby-dick': { name: 'moby-dick', url: 'corpora/moby-dick.txt' },
} as const;

/** Fetches a shipped corpus's text. @throws Error naming the file when the server does not have it. */
export async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url}: ${response.status} ${response.statusText}`);
  return response.text();
}

/** Characters (Unicode code points, a char tokenizer's tokens) in `text`; an emoji counts once. */
export function countCharacters(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return text.length - pairs;
}
