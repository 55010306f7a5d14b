// A tour of @proj/tensor: creation, broadcasting, views, reductions, matmul and seeded randomness.
import { arange, Generator, matmul, randn, softmax, tensor } from '@proj/tensor';

const g = new Generator(1337);
const x = randn([2, 3, 4], { generator: g }); // [B, T, C]
const w = randn([4, 5], { generator: g });
const logits = matmul(x, w); // batched broadcasting matmul → [2, 3, 5]
console.log('logits', logits.toString());
console.log('softmax over the last axis sums to 1:', softmax(logits).sum(-1).toArray());

const grid = arange(12).reshape([3, 4]);
console.log('a transposed view shares storage:', grid.transpose().toArray());
console.log('row means (keepdim):', grid.to('float32').mean(1, { keepdim: true }).toArray());
console.log(
  'broadcast add:',
  tensor([[1], [2]])
    .add(tensor([10, 20, 30]))
    .toArray(),
);
