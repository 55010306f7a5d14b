import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './run.js';

/** The consumer's own files: the programs and tsconfigs under `consumer/`. */
const CONSUMER_FILES = fileURLToPath(new URL('../consumer', import.meta.url));

const require = createRequire(import.meta.url);

/** The exact version of a package installed for this tooling package (pinned by the lockfile). */
export function installedVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

/**
 * Creates an empty npm project in a temporary directory, with the programs of `consumer/`, and
 * installs `tarballs` into it with npm, as a user installs the published packages. Beside them
 * it installs, from the npm registry, the optional peer `fast-check` (for `@proj/tensor/testing`)
 * and `@types/node` (for the `./node` subpaths), at the versions this workspace pins.
 * @returns the project's directory.
 */
export function createConsumer(tarballs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'proj-consumer-'));
  cpSync(CONSUMER_FILES, dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, type: 'module' })}\n`,
  );
  const extras = ['fast-check', '@types/node'].map((name) => `${name}@${installedVersion(name)}`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...extras], dir);
  return dir;
}
