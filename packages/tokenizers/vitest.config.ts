import { projectConfig } from '@proj/vitest-config';

// The parity tests encode whole corpora with us and with the reference encoders; a busy
// 2-core machine can take a minute over one.
export default projectConfig({ testTimeout: 180_000 });
