/** Where a command writes: the process's streams in `main.ts`, buffers in tests. */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  /** Receives SIGINT (Ctrl-C) and SIGTERM so training can stop cleanly; tests pass none. */
  onInterrupt?: (handler: () => void) => () => void;
}

/** The part of a writable stream the CLI uses. */
export interface OutStream {
  write(text: string): unknown;
  /** True on a terminal: draw a progress bar instead of periodic lines. */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/** A failure the user can act on (missing file, corrupt checkpoint): printed without a stack trace, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}
