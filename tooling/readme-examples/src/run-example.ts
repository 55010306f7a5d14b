import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** What running one example printed. */
export interface ExampleRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Seconds an example may run before it counts as hung. */
const TIMEOUT_S = 100;

/**
 * Runs `code` as an ES module in a fresh `node` process, as a user who pasted it into `file.mjs`
 * would: TypeScript is transpiled first (types erased, nothing checked here), and the file is
 * written into `directory`, whose `node_modules` resolve `@proj/*` to the built packages.
 */
export function runExample(code: string, language: 'ts' | 'js', directory: string, name: string): ExampleRun {
  const source =
    language === 'ts'
      ? ts.transpileModule(code, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        }).outputText
      : code;
  const file = join(directory, `${name}.mjs`);
  writeFileSync(file, source);
  const run = spawnSync(process.execPath, [file], {
    cwd: directory,
    encoding: 'utf8',
    timeout: TIMEOUT_S * 1000,
    env: withoutColor(process.env),
  });
  const timedOut = run.error && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  return {
    status: run.status,
    stdout: run.stdout ?? '',
    stderr: timedOut ? `timed out after ${TIMEOUT_S} s\n${run.stderr ?? ''}` : (run.stderr ?? ''),
  };
}

/** The environment without the variables that make Node color its output or preload code. */
function withoutColor(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, NODE_OPTIONS: _options, ...rest } = env;
  return { ...rest, NO_COLOR: '1' };
}
