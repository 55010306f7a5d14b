import { version } from '../package.json';

/** How the objects of one package are recognised across copies: the brand key and what to call them. */
export interface PackageBrand {
  /** The `Symbol.for` key whose value on an instance is its package version. */
  readonly key: symbol;
  /** The package name, e.g. `@proj/tensor`. */
  readonly pkg: string;
  /** The class the brand marks, e.g. `Tensor`. */
  readonly kind: string;
  /** The version of this copy of the package. */
  readonly version: string;
}

/**
 * Thrown when an object made by one copy of a `@proj/*` package reaches another copy of the same
 * package: the app has two copies installed (a package manager nested one), and the objects of one
 * are not instances of the other's classes. The message names the package, both versions and the fix.
 */
export class DuplicatePackageError extends Error {
  override name = 'DuplicatePackageError';
}

/**
 * Throws {@link DuplicatePackageError} when `value` carries `brand` although the caller's
 * `instanceof` check failed, i.e. it was made by another copy of `brand.pkg`. Returns otherwise.
 */
export function rejectForeignCopy(value: unknown, brand: PackageBrand, op: string): void {
  if (typeof value !== 'object' || value === null) return;
  const foreignVersion = (value as Record<symbol, unknown>)[brand.key];
  if (foreignVersion === undefined) return;
  throw new DuplicatePackageError(
    `${op}: got a ${brand.kind} from another copy of ${brand.pkg} (version ${String(foreignVersion)}; this copy is ${brand.version}). ` +
      `Two copies of ${brand.pkg} are installed, and a ${brand.kind} of one is not a ${brand.kind} of the other. ` +
      `Keep one: \`npm ls ${brand.pkg}\` shows them; give every @proj/* package the same version and run \`npm dedupe\` ` +
      `(the packages above ${brand.pkg} take it as a peer dependency, so the app's own copy is the one they use).`,
  );
}

/**
 * The key under which every Tensor carries its package version. `Symbol.for` returns the same
 * symbol in every copy of the package, so a tensor made by a second, duplicate copy is still
 * recognised where `instanceof` fails.
 */
export const TENSOR_BRAND_KEY: unique symbol = Symbol.for('@proj/tensor');

/** The brand of this copy's tensors. */
export const TENSOR_BRAND: PackageBrand = {
  key: TENSOR_BRAND_KEY,
  pkg: '@proj/tensor',
  kind: 'Tensor',
  version,
};
