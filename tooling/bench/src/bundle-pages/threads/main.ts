// The floor plus Web Worker threads: what `enableThreads` adds.
import { add, enableThreads, tensor } from '@proj/tensor';

console.log(await enableThreads(2), add(tensor([1, 2]), tensor([3, 4])).toArray());
