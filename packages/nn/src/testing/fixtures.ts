/** The module specifier kept in a `string` so the package needs no Node type declarations. */
const NODE_FS: string = 'node:fs';

/**
 * Test support: the bytes of a committed file under `packages/nn/fixtures` (Node only; the library
 * itself never touches the file system).
 */
export async function readFixture(name: string): Promise<Uint8Array> {
  const fs = (await import(/* @vite-ignore */ NODE_FS)) as { readFileSync(path: URL): Uint8Array };
  return new Uint8Array(fs.readFileSync(new URL(`../../fixtures/${name}`, import.meta.url)));
}
