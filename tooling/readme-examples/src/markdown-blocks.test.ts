import { describe, expect, it } from 'vitest';
import { extractExamples } from './markdown-blocks.js';

const fence = '```';

describe('extractExamples', () => {
  it('finds ts and js blocks with their line, a no-run reason, and the text block after Prints:', () => {
    const markdown = [
      '# Title', // 1
      `${fence}ts`, // 2
      "console.log('a');",
      fence,
      '',
      'Prints:', // 6
      '',
      `${fence}text`, // 8
      'a',
      fence,
      `${fence}sh`, // 11: not an example
      'npm test',
      fence,
      `${fence}js no-run: needs a GPU`, // 14
      'gpu();',
      fence,
      `${fence}text`, // 17: not preceded by Prints:, so not output
      'free text',
      fence,
    ].join('\n');
    expect(extractExamples(markdown)).toEqual([
      { line: 2, language: 'ts', code: "console.log('a');", noRun: null, prints: 'a', printsLine: 8 },
      { line: 14, language: 'js', code: 'gpu();', noRun: 'needs a GPU', prints: null, printsLine: null },
    ]);
  });

  it('does not look inside longer fences, and keeps blank lines of a block', () => {
    const markdown = [
      '````md',
      `${fence}ts`,
      'hidden();',
      fence,
      '````',
      `${fence}typescript`,
      'a();',
      '',
      'b();',
      fence,
    ].join('\n');
    expect(extractExamples(markdown).map((e) => [e.line, e.code])).toEqual([[6, 'a();\n\nb();']]);
  });

  it('rejects no-run without a reason, unknown flags, a dangling Prints: and an unclosed fence', () => {
    expect(() => extractExamples(`${fence}ts no-run\nx\n${fence}`)).toThrow(
      /line 1: 'no-run' needs a reason/,
    );
    expect(() => extractExamples(`${fence}ts norun\nx\n${fence}`)).toThrow(
      /line 1: unknown info string 'ts norun'/,
    );
    expect(() => extractExamples(`${fence}ts\nx\n${fence}\nPrints:\n\nsome prose`)).toThrow(
      /line 6: 'Prints:' must be followed by a ```text block/,
    );
    expect(() => extractExamples(`text\n${fence}ts\nx`)).toThrow(/line 2: code fence ``` is never closed/);
  });
});
