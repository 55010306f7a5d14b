import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './run.js';

/** The repository root (this file is tooling/pack-check/src/published.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The fields of a package.json these checks read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  engines?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  files?: string[];
  exports?: Record<string, unknown>;
  publishConfig?: { exports?: Record<string, unknown> };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  packageManager?: string;
}

/** A published workspace package: where it lives and its manifest as written in the repository. */
export interface PublishedPackage {
  /** Directory relative to the repository root, e.g. `packages/tensor`. */
  dir: string;
  manifest: Manifest;
}

/** Reads a JSON file. */
export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every workspace package under `packages/` that is not private: what `pnpm publish -r` would publish. */
export function publishedPackages(): PublishedPackage[] {
  return readdirSync(join(REPO_ROOT, 'packages'))
    .map((name) => {
      const dir = `packages/${name}`;
      return { dir, manifest: readJson<Manifest>(join(REPO_ROOT, dir, 'package.json')) };
    })
    .filter(({ manifest }) => !manifest.private);
}

/** The pnpm that the repository pins in `packageManager`, run through npx (as CI runs it). */
function pnpm(args: string[], cwd: string): string {
  const pinned = readJson<Manifest>(join(REPO_ROOT, 'package.json')).packageManager;
  if (!pinned?.startsWith('pnpm@'))
    throw new Error(`root package.json: packageManager '${pinned}' is not pnpm`);
  return run('npx', ['--yes', pinned, ...args], cwd);
}

/**
 * Packs `packages` with `pnpm pack` (which applies `publishConfig` and rewrites `workspace:`
 * ranges, as `pnpm publish` does) into `destination`, and returns each tarball's path by name.
 */
export function packAll(packages: PublishedPackage[], destination: string): Map<string, string> {
  const filters = packages.flatMap(({ manifest }) => ['--filter', manifest.name]);
  const out = pnpm(['-r', ...filters, 'pack', '--pack-destination', destination, '--json'], REPO_ROOT);
  const packed = JSON.parse(out) as { name: string; filename: string }[];
  return new Map(packed.map(({ name, filename }) => [name, filename]));
}
