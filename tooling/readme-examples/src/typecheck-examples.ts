import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** A TypeScript example to check, and where its code starts in its README. */
export interface ExampleSource {
  /** `README path:line` of the opening fence, for messages. */
  where: string;
  code: string;
}

/**
 * Typechecks every example as a separate ES module in a strict Node project, against the published
 * types of the packages (their `dist/*.d.ts`, as a consumer sees them), and returns one message per
 * error with its README line.
 */
export function typecheckExamples(examples: readonly ExampleSource[], directory: string): string[] {
  const files = examples.map((example, i) => {
    const file = join(directory, `typecheck-${i}.mts`);
    writeFileSync(file, example.code);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const index = diagnostic.file ? files.indexOf(diagnostic.file.fileName) : -1;
    if (index < 0 || diagnostic.start === undefined) return text;
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    const [path, fenceLine] = examples[index]!.where.split(/:(?=\d+$)/);
    return `${path}:${Number(fenceLine) + 1 + line}: ${text}`;
  });
}
