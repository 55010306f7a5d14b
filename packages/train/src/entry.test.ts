import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '.');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the main entry', () => {
  it('imports nothing from node: (file-system code lives under src/node, the ./node export)', () => {
    const offenders = sources(root)
      .filter((path) => !relative(root, path).startsWith('node'))
      .filter((path) => /from '(node:|fs|path|os)/.test(readFileSync(path, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
