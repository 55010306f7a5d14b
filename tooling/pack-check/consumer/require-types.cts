// A CommonJS TypeScript file: its imports compile to require(), which TypeScript >= 5.8 types for
// ESM-only packages under `module: nodenext` (Node >= 20.19 runs it).

import { variable } from '@proj/autograd';
import { tensor } from '@proj/tensor';

export const grad = variable(tensor([1, 2]), { requiresGrad: true }).sum();
