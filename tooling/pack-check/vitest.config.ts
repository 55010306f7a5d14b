import { projectConfig } from '@proj/vitest-config';

// Packing, an npm install and the TypeScript runs happen once, in beforeAll; a busy 2-core machine
// with a cold npm cache can take a few minutes over them (a hang guard, not a timing check).
export default projectConfig({ hookTimeout: 300_000, testTimeout: 120_000 });
