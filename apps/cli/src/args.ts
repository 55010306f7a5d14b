/** A command-line mistake: the CLI prints the message and the command's usage, and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose usage to print (undefined: the top-level usage). */
    readonly command?: CommandSpec,
  ) {
    super(message);
  }
}

/** Kinds of option values. */
export type OptionType = 'int' | 'number' | 'string' | 'boolean';

/** One `--kebab-case` option. */
export interface OptionSpec {
  /** Kebab-case name without the dashes, e.g. `max-iters`. */
  name: string;
  type: OptionType;
  /** Value when the option is not given (omitted: undefined). */
  default?: string | number | boolean;
  /** One line for the usage. */
  help: string;
  /** Placeholder shown in the usage, e.g. `<n>`. */
  value?: string;
  /** Smallest allowed value for numbers (inclusive unless `exclusiveMin`). */
  min?: number;
  exclusiveMin?: boolean;
}

/** A subcommand: its name, a summary line, and its options. */
export interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  /** Lines shown after the options. */
  notes?: string[];
}

/** Parsed options by camelCase name. */
export type ParsedOptions = Record<string, string | number | boolean | undefined>;

const camel = (kebab: string) => kebab.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * Parses `argv` (without the command name) against `spec`: `--name value`, `--name=value`, booleans
 * as `--flag`, `--no-flag` or `--flag=true|false`, and `-h`/`--help` (returned as `help: true`).
 * @throws UsageError for unknown options, missing or malformed values (numbers must be finite),
 *   and positional arguments.
 */
export function parseOptions(spec: CommandSpec, argv: readonly string[]): ParsedOptions & { help: boolean } {
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const out: ParsedOptions & { help: boolean } = { help: false };
  for (const o of spec.options) out[camel(o.name)] = o.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--')
      throw new UsageError(`unexpected argument '${arg}' (options start with --)`, spec);
    const eq = arg.indexOf('=');
    let name = arg.slice(2, eq === -1 ? undefined : eq);
    let inline: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    let option = byName.get(name);
    if (!option && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`, spec);
      name = name.slice(3);
      option = byName.get(name)!;
      inline = 'false';
    }
    if (!option) throw new UsageError(`unknown option --${name}${suggest(name, [...byName.keys()])}`, spec);
    let raw: string;
    if (option.type === 'boolean') raw = inline ?? 'true';
    else if (inline !== undefined) raw = inline;
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && !NUMBER.test(next)))
        throw new UsageError(`--${name} needs a value${option.value ? ` ${option.value}` : ''}`, spec);
      raw = next;
      i++;
    }
    out[camel(name)] = convert(option, raw, spec);
  }
  return out;
}

/**
 * The camelCase names of the options of `spec` that `argv` gives (rather than leaving them at
 * their defaults); `argv` is one {@link parseOptions} accepted.
 */
export function givenOptions(spec: CommandSpec, argv: readonly string[]): Set<string> {
  const names = new Set(spec.options.map((o) => o.name));
  const given = new Set<string>();
  for (const arg of argv) {
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (name === undefined) continue;
    if (names.has(name)) given.add(camel(name));
    else if (name.startsWith('no-') && names.has(name.slice(3))) given.add(camel(name.slice(3)));
  }
  return given;
}

function convert(o: OptionSpec, raw: string, spec: CommandSpec): string | number | boolean {
  const bad = (what: string) => new UsageError(`--${o.name} ${what}, got '${raw}'`, spec);
  switch (o.type) {
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw bad('is a flag (true or false)');
    case 'string':
      if (raw === '') throw bad('needs a non-empty value');
      return raw;
    default: {
      if (!NUMBER.test(raw.trim())) throw bad(`needs ${o.type === 'int' ? 'an integer' : 'a number'}`);
      const value = Number(raw);
      if (o.type === 'int' && !Number.isSafeInteger(value)) throw bad('needs an integer');
      if (!Number.isFinite(value)) throw bad('needs a finite number');
      if (o.min !== undefined && (o.exclusiveMin ? value <= o.min : value < o.min))
        throw bad(`must be ${o.exclusiveMin ? '>' : '>='} ${o.min}`);
      return value;
    }
  }
}

function suggest(name: string, names: string[]): string {
  const bare = name.replaceAll(/[-_]/g, '');
  const close =
    names.find((n) => n.replaceAll('-', '') === bare || distance(n, name) <= 2) ??
    names.find((n) => n.startsWith(name));
  return close ? ` (did you mean --${close}?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** The usage text of a command: synopsis, options with defaults, notes. */
export function formatUsage(spec: CommandSpec): string {
  const left = spec.options.map(
    (o) => `--${o.name}${o.type === 'boolean' ? '' : ` ${o.value ?? '<value>'}`}`,
  );
  const width = Math.max(...left.map((l) => l.length), '-h, --help'.length);
  const lines = [`Usage: proj ${spec.name} [options]`, '', ...wrap(spec.summary, 100), '', 'Options:'];
  spec.options.forEach((o, i) => {
    const shown = o.default === undefined || o.default === false ? '' : ` (default: ${o.default})`;
    lines.push(`  ${left[i]!.padEnd(width)}  ${o.help}${shown}`);
  });
  lines.push(`  ${'-h, --help'.padEnd(width)}  Show this help`);
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}
