import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from './io.js';

/**
 * Makes sure `dir` exists and takes files, before hours of training depend on it: creates it and a
 * probe file (named like a temporary file, which the next checkpoint save removes if a kill left it).
 * @throws CliError naming `dir` and the system's reason (read-only, a file in the way, no space).
 */
export async function checkWritable(dir: string): Promise<void> {
  const probe = join(dir, `.write-probe.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'probe');
    await rm(probe);
  } catch (error) {
    throw new CliError(`cannot write to --out ${dir}: ${(error as Error).message}`);
  }
}
