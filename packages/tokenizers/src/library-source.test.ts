import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = dirname(fileURLToPath(import.meta.url));

/** Library files: everything under src/ except tests and the test-only helpers in src/testing/. */
function librarySources(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : librarySources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('library source', () => {
  const files = librarySources();

  it('runs in any JavaScript runtime: no Node modules, globals or console', () => {
    expect(files.length).toBeGreaterThan(10);
    const offences = files.flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      const found = [/from 'node:/, /\brequire\(/, /\bBuffer\b/, /\bprocess\./, /\bconsole\./].filter((re) =>
        re.test(source),
      );
      return found.map((re) => `${relative(root, file)}: ${re.source}`);
    });
    expect(offences).toEqual([]);
  });

  it('imports nothing from other packages', () => {
    const imports = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)]
        .map((m) => m[1]!)
        .filter((s) => !s.startsWith('.')),
    );
    expect(imports).toEqual([]);
  });
});
