/**
 * `options` without its entries whose value is `undefined`, so that spreading it over defaults
 * (`{ ...DEFAULTS, ...definedEntries(config) }`) keeps a default where the caller passed
 * `{ dropout: undefined }`, as where it left the key out.
 */
export function definedEntries<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
