// The floor: a page that only adds two tensors.
import { add, tensor } from '@proj/tensor';

console.log(add(tensor([1, 2]), tensor([3, 4])).toArray());
