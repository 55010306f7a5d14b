import { type CommandSpec, formatUsage, type ParsedOptions, parseOptions } from './args.js';
import type { Io } from './io.js';

/** A `proj` subcommand: its spec (for `--help` and usage errors) and what it does with `argv`. */
export interface Command {
  spec: CommandSpec;
  run(argv: readonly string[], io: Io): Promise<void>;
}

/**
 * A command from its spec and a body that receives the parsed options (by camelCase name, typed as
 * the command declares them), the streams and the raw `argv` (for `givenOptions`). `-h`/`--help`
 * prints the usage instead of running the body.
 * @example export const fooCommand = command<FooArgs>(FOO_SPEC, async (a, io) => { … });
 */
export function command<A = ParsedOptions>(
  spec: CommandSpec,
  body: (args: A, io: Io, argv: readonly string[]) => Promise<void>,
): Command {
  return {
    spec,
    async run(argv, io) {
      const parsed = parseOptions(spec, argv);
      if (parsed.help) io.stdout.write(formatUsage(spec));
      else await body(parsed as unknown as A, io, argv);
    },
  };
}
