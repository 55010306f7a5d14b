import type { UserConfig } from 'vitest/config';

/** A package's vitest config with the shared settings; `test` overrides or extends them. */
export function projectConfig(test?: NonNullable<UserConfig['test']>): UserConfig;
