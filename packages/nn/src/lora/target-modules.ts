/**
 * Which modules an adapter targets, as PEFT's `target_modules` / `exclude_modules`: a list of names,
 * each matching a module path exactly or as its last dotted part(s) (`'c_attn'` and `'attn.c_attn'`
 * both match `transformer.h.0.attn.c_attn`), or one string, a regular expression that must match the
 * whole path (PEFT's `re.fullmatch`).
 */
export type ModulePattern = readonly string[] | string;

/**
 * Whether the module at `path` is named by `pattern`, as PEFT's `check_target_module_exists`.
 * @throws SyntaxError naming the pattern when a string pattern is not a valid regular expression.
 * @example matchesModulePattern('transformer.h.0.mlp.c_proj', ['c_proj']) // true
 */
export function matchesModulePattern(path: string, pattern: ModulePattern): boolean {
  if (typeof pattern === 'string') return fullMatch(pattern).test(path);
  return pattern.some((name) => path === name || path.endsWith(`.${name}`));
}

function fullMatch(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new SyntaxError(
      `target/exclude modules: invalid regular expression '${pattern}': ${(error as Error).message}`,
    );
  }
}

/** A pattern for error messages: a list as JSON, a regular expression between slashes. */
export function describePattern(pattern: ModulePattern): string {
  return typeof pattern === 'string' ? `/${pattern}/` : JSON.stringify(pattern);
}
