import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, installedVersion } from './consumer.js';
import { type Manifest, packAll, publishedPackages, REPO_ROOT, readJson } from './published.js';
import { run } from './run.js';

const require = createRequire(import.meta.url);
const packages = publishedPackages();
const names = packages.map(({ manifest }) => manifest.name);
/** The repository URL every package names in `repository`, `homepage` and `bugs`. */
const REPOSITORY = 'https://github.com/proj-llm/proj';

/** Path of a bin script of a devDependency of this package, run with this Node. */
function binOf(pkg: string, script: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), script);
}

let packDir: string;
let tarballs: Map<string, string>;
let consumer: string;
const installed = (name: string) => join(consumer, 'node_modules', name);
const packedManifest = (name: string) => readJson<Manifest>(join(installed(name), 'package.json'));

beforeAll(() => {
  packDir = mkdtempSync(join(tmpdir(), 'proj-packs-'));
  tarballs = packAll(packages, packDir);
  consumer = createConsumer(names.map((name) => tarballs.get(name)!));
});

afterAll(() => {
  for (const dir of [packDir, consumer]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed packages, installed with npm into an empty project', () => {
  it('packs every published package', () => {
    expect([...tarballs.keys()].sort()).toEqual([...names].sort());
  });

  it('ship dist, README and LICENSE only, with the metadata npm shows', () => {
    const license = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
    for (const { dir, manifest } of packages) {
      const packed = packedManifest(manifest.name);
      expect(readdirSync(installed(manifest.name)).sort(), manifest.name).toEqual([
        'LICENSE',
        'README.md',
        'dist',
        'package.json',
      ]);
      expect(readFileSync(join(installed(manifest.name), 'LICENSE'), 'utf8'), manifest.name).toBe(license);
      expect(packed.license).toBe('MIT');
      expect(packed.engines).toEqual({ node: '>=20.19' });
      expect(packed.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: dir });
      expect(packed.homepage).toBe(`${REPOSITORY}/tree/main/${dir}#readme`);
      expect(packed.bugs).toEqual({ url: `${REPOSITORY}/issues` });
      const ranges = { ...packed.dependencies, ...packed.peerDependencies };
      expect(Object.values(ranges).filter((range) => range.startsWith('workspace:'))).toEqual([]);
      const readme = readFileSync(join(installed(manifest.name), 'README.md'), 'utf8');
      const relativeLinks = readme.match(/\]\((?!https:\/\/|#)[^)]*\)/g) ?? [];
      expect(relativeLinks, `${manifest.name} README: links that break on npm`).toEqual([]);
    }
  });

  it('export types + default for every entry (no private source condition), and ./package.json', () => {
    for (const name of names) {
      const exports = packedManifest(name).exports ?? {};
      expect(exports['./package.json'], name).toBe('./package.json');
      for (const [subpath, target] of Object.entries(exports)) {
        if (subpath === './package.json') continue;
        expect(Object.keys(target as object), `${name} ${subpath}`).toEqual(['types', 'default']);
      }
    }
  });

  it('take the packages below them as peer dependencies, so an app holds one copy of each', () => {
    for (const { manifest } of packages) {
      const packed = packedManifest(manifest.name);
      const below = Object.keys(manifest.devDependencies ?? {}).filter((dep) => names.includes(dep));
      expect(
        Object.keys(packed.dependencies ?? {}).filter((dep) => names.includes(dep)),
        manifest.name,
      ).toEqual([]);
      for (const dep of Object.keys(packed.peerDependencies ?? {}).filter((d) => names.includes(d))) {
        expect(below, `${manifest.name} peer ${dep} is also a workspace devDependency`).toContain(dep);
      }
    }
    expect(Object.keys(packedManifest('@proj/autograd').peerDependencies ?? {})).toContain('@proj/tensor');
  });

  it('load every entry and subpath with require() from CommonJS and with import()', () => {
    const specifiers = names.flatMap((name) =>
      Object.keys(packedManifest(name).exports ?? {}).map((subpath) => `${name}${subpath.slice(1)}`),
    );
    const loaded = JSON.parse(run(process.execPath, ['load-entries.cjs', ...specifiers], consumer)) as Record<
      string,
      { require: string[]; import: string[] }
    >;
    expect(Object.keys(loaded).sort()).toEqual([...specifiers].sort());
    for (const [specifier, { require: required, import: imported }] of Object.entries(loaded)) {
      expect(required.length, specifier).toBeGreaterThan(0);
      expect(required, specifier).toEqual(imported);
    }
  });

  it('compile under the declared minimum TypeScript with skipLibCheck off and no DOM lib', () => {
    const minimum = installedVersion('typescript-min');
    for (const name of names) {
      const packed = packedManifest(name);
      expect(packed.peerDependencies?.typescript, `${name} declares its minimum TypeScript`).toBe(
        `>=${minimum}`,
      );
      expect(packed.peerDependenciesMeta?.typescript?.optional, name).toBe(true);
    }
    const tsc = binOf('typescript-min', 'bin/tsc');
    expect(run(process.execPath, [tsc, '--version'], consumer).trim()).toBe(`Version ${minimum}`);
    // main entries with Node's module resolution and with a bundler's; the ./node subpaths with @types/node
    for (const config of ['tsconfig.json', 'tsconfig.bundler.json', 'tsconfig.node.json']) {
      run(process.execPath, [tsc, '-p', config], consumer);
    }
  });

  it('a CommonJS TypeScript file typechecks its imports of the packages (TypeScript >= 5.8)', () => {
    run(process.execPath, [binOf('typescript', 'bin/tsc'), '-p', 'tsconfig.cts.json'], consumer);
  });

  it('run a program written from the READMEs against the tarballs', () => {
    const load = (file: string) =>
      JSON.parse(
        run(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `process.stdout.write(JSON.stringify((await import('./out/${file}')).summary))`,
          ],
          consumer,
        ),
      );
    const main = load('main.js');
    for (const sum of main.rowSums.flat()) expect(sum).toBeCloseTo(1, 5);
    expect(main.line[0]).toBeCloseTo(2, 2);
    expect(main.line[1]).toBeCloseTo(1, 2);
    expect(main.bpeRoundTrips).toBe(true);
    expect(main.valLosses).toHaveLength(3);
    expect(main.valLosses.every(Number.isFinite)).toBe(true);
    expect(main.valLosses[2]).toBeLessThan(main.valLosses[0]);
    expect(main.sample).toMatch(/^To be.{8}$/s);
    expect(main.testingHelpers).toBe('function');
    const node = load('node.js');
    expect(node.threads).toBe(1);
    expect(node.trainNodeExports.length).toBeGreaterThan(0);
  });

  it('pass publint with nothing to report', async () => {
    for (const name of names) {
      const { messages, pkg } = await publint({ pkgDir: installed(name), pack: false, strict: true });
      expect(
        messages.map((message) => `${message.type}: ${formatMessage(message, pkg)}`),
        name,
      ).toEqual([]);
    }
  });

  it('pass attw, except for what ESM-only means (see README)', () => {
    const attw = binOf('@arethetypeswrong/cli', 'dist/index.js');
    for (const name of names) {
      const args = [
        attw,
        tarballs.get(name)!,
        '--profile',
        'node16',
        '--ignore-rules',
        'cjs-resolves-to-esm',
      ];
      run(process.execPath, [...args, '--format', 'ascii', '--no-color', '--no-emoji'], consumer);
    }
  });

  it('two nested copies of @proj/tensor fail with an error that names the duplicate', () => {
    const nested = join(installed('@proj/autograd'), 'node_modules', '@proj', 'tensor');
    cpSync(installed('@proj/tensor'), nested, { recursive: true });
    try {
      const outcome = JSON.parse(run(process.execPath, ['duplicate.mjs'], consumer));
      expect(outcome.worked).toBe(false);
      expect(outcome.name).toBe('DuplicatePackageError');
      expect(outcome.message).toMatch(
        /^variable: got a Tensor from another copy of @proj\/tensor \(version .*npm ls @proj\/tensor.*npm dedupe/,
      );
    } finally {
      rmSync(join(installed('@proj/autograd'), 'node_modules'), { recursive: true, force: true });
    }
  });

  it('ship source maps that carry their sources (the packages ship no src)', () => {
    for (const name of names) {
      const dist = join(installed(name), 'dist');
      const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) =>
        file.endsWith('.map'),
      );
      expect(maps.length, name).toBeGreaterThan(0);
      for (const file of maps) {
        const map = readJson<{ sources: string[]; sourcesContent?: (string | null)[] }>(join(dist, file));
        expect(
          map.sourcesContent?.filter((content) => typeof content === 'string').length,
          `${name} ${file}`,
        ).toBe(map.sources.length);
      }
    }
  });
});
