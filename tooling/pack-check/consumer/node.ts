// The Node-only subpaths, compiled with @types/node (the only entries that need it).
import { enableThreads } from '@proj/tensor/node';
import * as trainNode from '@proj/train/node';

/** What the test reads after running the compiled program. */
export const summary = { threads: await enableThreads(1), trainNodeExports: Object.keys(trainNode).sort() };
