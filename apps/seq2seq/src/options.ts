import { parseArgs } from 'node:util';

/** A command-line mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One `--kebab-case` option of a command. */
export interface OptionSpec {
  name: string;
  type: 'int' | 'number' | 'string' | 'boolean';
  help: string;
  /** Value when not given (undefined: none). */
  default?: number | string | boolean;
  /** Value under `--quick` when not given (default: `default`). */
  quick?: number | string | boolean;
  /** Smallest allowed number. */
  min?: number;
  /** Allowed strings (comma-separated lists allowed when `list`). */
  choices?: readonly string[];
  list?: boolean;
}

/** Parsed option values by camelCase name. */
export type OptionValues = Record<string, number | string | boolean | string[] | undefined>;

const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/**
 * Parses `argv` against `specs` (Node's `util.parseArgs`, strict): numbers checked, lists split on
 * commas and checked against their choices, defaults (or `--quick` defaults) filled in.
 * @throws UsageError naming the option for unknown options, missing or malformed values, positionals.
 */
export function parseOptions(
  specs: readonly OptionSpec[],
  argv: readonly string[],
): OptionValues & { help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          specs.map((s) => [s.name, { type: s.type === 'boolean' ? 'boolean' : 'string' }] as const),
        ),
      },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError(
      (error as Error).message.split('\n')[0]!.replace(/^Unknown option/, 'unknown option'),
    );
  }
  const quick = values.quick === true;
  const out: OptionValues & { help: boolean } = { help: values.help === true };
  for (const spec of specs) {
    const raw = values[spec.name];
    const fallback = quick && spec.quick !== undefined ? spec.quick : spec.default;
    out[camel(spec.name)] =
      raw !== undefined
        ? convert(spec, raw)
        : spec.list && fallback !== undefined
          ? String(fallback).split(',')
          : fallback;
  }
  return out;
}

function convert(spec: OptionSpec, raw: string | boolean): number | string | boolean | string[] {
  if (spec.type === 'boolean') return raw === true;
  const text = String(raw);
  if (spec.type === 'string') {
    if (text === '') throw new UsageError(`--${spec.name} needs a non-empty value`);
    if (!spec.choices) return text;
    const items = spec.list ? text.split(',').map((s) => s.trim()) : [text];
    const bad = items.filter((item) => !spec.choices!.includes(item));
    if (bad.length)
      throw new UsageError(
        `--${spec.name}: ${bad.map((b) => `'${b}'`).join(', ')} is not one of ${spec.choices.join(', ')}`,
      );
    return spec.list ? items : text;
  }
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (spec.type === 'int' && !Number.isSafeInteger(value)))
    throw new UsageError(
      `--${spec.name} needs ${spec.type === 'int' ? 'an integer' : 'a number'}, got '${text}'`,
    );
  if (spec.min !== undefined && value < spec.min)
    throw new UsageError(`--${spec.name} must be >= ${spec.min}, got ${value}`);
  return value;
}

/** The usage text of a command. */
export function formatUsage(command: string, summary: string, specs: readonly OptionSpec[]): string {
  const left = specs.map((s) => `--${s.name}${s.type === 'boolean' ? '' : ' <value>'}`);
  const width = Math.max(...left.map((l) => l.length), '-h, --help'.length);
  const lines = [`Usage: proj-seq2seq ${command} [options]`, '', summary, '', 'Options:'];
  specs.forEach((s, i) => {
    const quick = s.quick !== undefined ? `; --quick: ${s.quick}` : '';
    const shown =
      s.default === undefined || s.default === false
        ? quick
          ? ` (${quick.slice(2)})`
          : ''
        : ` (default: ${s.default}${quick})`;
    lines.push(`  ${left[i]!.padEnd(width)}  ${s.help}${shown}`);
  });
  lines.push(`  ${'-h, --help'.padEnd(width)}  Show this help`);
  return `${lines.join('\n')}\n`;
}
