#!/usr/bin/env node
import { main } from './cli.js';

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // Ctrl-C and SIGTERM (kill, docker stop, a job scheduler) alike
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
});
process.exitCode = code;
