import { projectConfig } from '@proj/vitest-config';

// The tests share no mutable global state (grad mode is restored, generators are explicit), so
// files reuse one module graph per worker: half the CPU time of re-importing per file.
export default projectConfig({ isolate: false });
