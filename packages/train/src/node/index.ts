export { checkpointWriter, loadCheckpoint, saveCheckpoint } from './checkpoint-files.js';
export { writeFileAtomic } from './write-atomic.js';
