/** The languages whose code blocks are examples: they run unless marked `no-run`. */
const EXAMPLE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);

/** A TypeScript or JavaScript code block of a README, with what the README says it prints. */
export interface Example {
  /** 1-based line of the opening fence. */
  line: number;
  /** `ts` or `js` (the info string's language, normalised). */
  language: 'ts' | 'js';
  code: string;
  /** The reason given after `no-run:` in the info string; null for a block that runs. */
  noRun: string | null;
  /** The `text` block after a `Prints:` line, or null when the README states no output. */
  prints: string | null;
  /** 1-based line of the `Prints:` output block's opening fence, when there is one. */
  printsLine: number | null;
}

interface Fence {
  line: number;
  info: string;
  body: string;
  /** Index of the line after the closing fence. */
  end: number;
}

/**
 * The example blocks of a Markdown document: every fenced block whose info string starts with
 * `ts`, `typescript`, `js`, `javascript` or `mjs`, outside other fenced blocks. A block runs unless
 * its info string says `no-run: <reason>` (e.g. ```` ```ts no-run: needs a GPU ````). Its expected
 * output is the ```` ```text ```` block that follows a line reading `Prints:` right after it (only
 * blank lines in between).
 * @throws Error naming the line for `no-run` without a reason, an unclosed fence, or a `Prints:`
 * that is not followed by a `text` block.
 */
export function extractExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  let i = 0;
  while (i < lines.length) {
    const fence = fenceAt(lines, i);
    if (!fence) {
      i++;
      continue;
    }
    i = fence.end;
    const [language = '', ...rest] = fence.info.split(/\s+/);
    if (!EXAMPLE_LANGUAGES.has(language)) continue;
    const flags = rest.join(' ');
    let noRun: string | null = null;
    if (flags.startsWith('no-run')) {
      noRun = flags.slice('no-run'.length).replace(/^:/, '').trim();
      if (!noRun)
        throw new Error(`line ${fence.line}: 'no-run' needs a reason: \`\`\`${language} no-run: <why>`);
    } else if (flags) {
      throw new Error(
        `line ${fence.line}: unknown info string '${fence.info}' (expected '${language}' or '${language} no-run: <why>')`,
      );
    }
    let prints: string | null = null;
    let printsLine: number | null = null;
    let j = skipBlank(lines, i);
    if (lines[j]?.trim() === 'Prints:') {
      j = skipBlank(lines, j + 1);
      const output = fenceAt(lines, j);
      if (output?.info !== 'text')
        throw new Error(`line ${j + 1}: 'Prints:' must be followed by a \`\`\`text block`);
      prints = output.body;
      printsLine = output.line;
      i = output.end;
    }
    examples.push({
      line: fence.line,
      language: language.startsWith('t') ? 'ts' : 'js',
      code: fence.body,
      noRun,
      prints,
      printsLine,
    });
  }
  return examples;
}

/** The fenced block opening at line index `start` (``` or ~~~, 3 or more, indented up to 3 spaces). */
function fenceAt(lines: readonly string[], start: number): Fence | null {
  const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(lines[start] ?? '');
  if (!open) return null;
  const marker = open[1]!;
  const info = open[2]!.trim();
  if (marker[0] === '`' && info.includes('`')) return null; // not a fence (CommonMark)
  const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
  for (let k = start + 1; k < lines.length; k++) {
    if (close.test(lines[k]!))
      return { line: start + 1, info, body: lines.slice(start + 1, k).join('\n'), end: k + 1 };
  }
  throw new Error(`line ${start + 1}: code fence ${marker} is never closed`);
}

function skipBlank(lines: readonly string[], i: number): number {
  while (i < lines.length && lines[i]!.trim() === '') i++;
  return i;
}
