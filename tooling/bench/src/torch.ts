/**
 * PyTorch as a peer: the bench's Python scripts (next to `src/`) run under Debian's python3-torch
 * when it is installed, each printing one JSON object on its last line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Runs `tooling/bench/<script>` with `args` (and `input` on stdin) and returns its last line parsed
 * as JSON, or null when /usr/bin/python3 or its torch is missing or the script fails. OpenBLAS is
 * told the core type: its detection does not know this machine's AMD cores and picks a slow kernel.
 */
export function runTorch<T>(script: string, args: string[], input?: string): T | null {
  if (!existsSync(PYTHON)) return null;
  const r = spawnSync(PYTHON, [join(here, '..', script), ...args], {
    env: { ...process.env, OPENBLAS_CORETYPE: 'SkylakeX' },
    encoding: 'utf8',
    input,
    timeout: 600_000,
  });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null') as T;
}
