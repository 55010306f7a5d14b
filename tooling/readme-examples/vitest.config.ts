import { projectConfig } from '@proj/vitest-config';

// An example may take up to run-example.ts's 100 s hang guard on a loaded machine.
export default projectConfig({ testTimeout: 150_000 });
