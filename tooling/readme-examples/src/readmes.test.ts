import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveExpected } from './expected-output.js';
import { type Example, extractExamples } from './markdown-blocks.js';
import { runExample } from './run-example.js';
import { typecheckExamples } from './typecheck-examples.js';

const PACKAGE_DIR = resolve(import.meta.dirname, '..');
const ROOT = resolve(PACKAGE_DIR, '../..');

/** The repository's READMEs: the root one and each package's, app's and tool's. */
function readmes(): string[] {
  const found = [join(ROOT, 'README.md')];
  for (const group of ['packages', 'apps', 'tooling']) {
    for (const name of readdirSync(join(ROOT, group)).sort()) {
      const readme = join(ROOT, group, name, 'README.md');
      if (existsSync(readme)) found.push(readme);
    }
  }
  return found;
}

/** A line that prints and states its output in a comment, which nothing would check. */
const CLAIM_IN_COMMENT = /console\.(log|info)\(.*\/\/ /;

let workDir = '';
beforeAll(() => {
  workDir = mkdtempSync(join(PACKAGE_DIR, '.run-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const typecheckable: { where: string; code: string }[] = [];

for (const readme of readmes()) {
  const path = relative(ROOT, readme);
  let examples: Example[];
  try {
    examples = extractExamples(readFileSync(readme, 'utf8'));
  } catch (error) {
    it(`${path} parses`, () => {
      throw new Error(`${path}: ${(error as Error).message}`);
    });
    continue;
  }
  if (examples.length === 0) continue;
  describe(path, () => {
    for (const example of examples) {
      const where = `${path}:${example.line}`;
      if (example.noRun !== null) {
        it.skip(`line ${example.line} (no-run: ${example.noRun})`, () => {});
        continue;
      }
      if (example.language === 'ts') typecheckable.push({ where, code: example.code });
      it(`line ${example.line} runs and prints what the README says`, () => {
        example.code.split('\n').forEach((line, i) => {
          if (CLAIM_IN_COMMENT.test(line))
            throw new Error(
              `${path}:${example.line + 1 + i}: output stated in a comment; put it in a 'Prints:' text block after the example`,
            );
        });
        const name = `${path.replace(/[^\w]+/g, '-')}-${example.line}`;
        const run = runExample(example.code, example.language, workDir, name);
        expect(run.status, `${where} failed:\n${run.stderr}`).toBe(0);
        if (example.prints === null) {
          expect(
            run.stdout,
            `${where} prints output that its README does not show (add a 'Prints:' block)`,
          ).toBe('');
        } else {
          const { expected, actual } = resolveExpected(example.prints, run.stdout);
          expect(actual, `${path}:${example.printsLine}: the README states other output`).toBe(expected);
        }
      });
    }
  });
}

it('every TypeScript example typechecks in a strict Node project against the published types', () => {
  expect(typecheckExamples(typecheckable, workDir)).toEqual([]);
});
