import { describe, expect, it } from 'vitest';
import * as T from './index.js';
import { valuesOf } from './testing/index.js';

/**
 * Every method is the function of the same name with the tensor as first argument: checked here by
 * calling both on the same inputs (each function's numerics are tested in its own file).
 */
const x = T.tensor([
  [0.5, -1.5, 2],
  [3, 0.25, -4],
]);
const y = T.tensor([1, 2, -1]);
const mask = T.tensor([true, false, true]);
const ids = T.tensor([[1], [0]], { dtype: 'int32' });

const cases: [string, (t: T.Tensor) => T.Tensor | T.Tensor[], (t: T.Tensor) => T.Tensor | T.Tensor[]][] = [
  ['add', (t) => t.add(y), (t) => T.add(t, y)],
  ['sub', (t) => t.sub(2), (t) => T.sub(t, 2)],
  ['mul', (t) => t.mul(y), (t) => T.mul(t, y)],
  ['div', (t) => t.div(y), (t) => T.div(t, y)],
  ['pow', (t) => t.pow(2), (t) => T.pow(t, 2)],
  ['maximum', (t) => t.maximum(y), (t) => T.maximum(t, y)],
  ['minimum', (t) => t.minimum(y), (t) => T.minimum(t, y)],
  ['eq', (t) => t.eq(y), (t) => T.eq(t, y)],
  ['ne', (t) => t.ne(y), (t) => T.ne(t, y)],
  ['lt', (t) => t.lt(y), (t) => T.lt(t, y)],
  ['le', (t) => t.le(y), (t) => T.le(t, y)],
  ['gt', (t) => t.gt(y), (t) => T.gt(t, y)],
  ['ge', (t) => t.ge(y), (t) => T.ge(t, y)],
  ['logicalAnd', (t) => t.logicalAnd(mask), (t) => T.logicalAnd(t, mask)],
  ['logicalOr', (t) => t.logicalOr(mask), (t) => T.logicalOr(t, mask)],
  ['maskedFill', (t) => t.maskedFill(mask, 7), (t) => T.maskedFill(t, mask, 7)],
  ['neg', (t) => t.neg(), T.neg],
  ['exp', (t) => t.exp(), T.exp],
  ['log', (t) => t.abs().log(), (t) => T.log(T.abs(t))],
  ['sqrt', (t) => t.abs().sqrt(), (t) => T.sqrt(T.abs(t))],
  ['rsqrt', (t) => t.abs().rsqrt(), (t) => T.rsqrt(T.abs(t))],
  ['tanh', (t) => t.tanh(), T.tanh],
  ['sigmoid', (t) => t.sigmoid(), T.sigmoid],
  ['relu', (t) => t.relu(), T.relu],
  ['gelu', (t) => t.gelu({ approximate: 'tanh' }), (t) => T.gelu(t, { approximate: 'tanh' })],
  ['silu', (t) => t.silu(), T.silu],
  ['abs', (t) => t.abs(), T.abs],
  ['sign', (t) => t.sign(), T.sign],
  ['square', (t) => t.square(), T.square],
  ['reciprocal', (t) => t.reciprocal(), T.reciprocal],
  ['sin', (t) => t.sin(), T.sin],
  ['cos', (t) => t.cos(), T.cos],
  ['floor', (t) => t.floor(), T.floor],
  ['ceil', (t) => t.ceil(), T.ceil],
  ['round', (t) => t.round(), T.round],
  ['erf', (t) => t.erf(), T.erf],
  ['logicalNot', (t) => t.logicalNot(), T.logicalNot],
  ['clamp', (t) => t.clamp(-1, 1), (t) => T.clamp(t, -1, 1)],
  ['sum', (t) => t.sum(1, { keepdim: true }), (t) => T.sum(t, 1, { keepdim: true })],
  ['prod', (t) => t.prod(0), (t) => T.prod(t, 0)],
  ['mean', (t) => t.mean(), (t) => T.mean(t)],
  ['max', (t) => t.max(1), (t) => T.max(t, 1)],
  ['min', (t) => t.min(0), (t) => T.min(t, 0)],
  ['argmax', (t) => t.argmax(1), (t) => T.argmax(t, 1)],
  ['argmin', (t) => t.argmin(), (t) => T.argmin(t)],
  ['var', (t) => t.var(1, { correction: 0 }), (t) => T.variance(t, 1, { correction: 0 })],
  ['std', (t) => t.std(0), (t) => T.std(t, 0)],
  ['logsumexp', (t) => t.logsumexp(1), (t) => T.logsumexp(t, 1)],
  ['softmax', (t) => t.softmax(0), (t) => T.softmax(t, 0)],
  ['logSoftmax', (t) => t.logSoftmax(), (t) => T.logSoftmax(t)],
  ['cumsum', (t) => t.cumsum(1), (t) => T.cumsum(t, 1)],
  ['matmul', (t) => t.matmul(t.transpose()), (t) => T.matmul(t, T.transpose(t))],
  ['reshape', (t) => t.reshape([3, 2]), (t) => T.reshape(t, [3, 2])],
  ['view', (t) => t.view([6]), (t) => T.view(t, [6])],
  ['flatten', (t) => t.flatten(), (t) => T.flatten(t)],
  ['permute', (t) => t.permute([1, 0]), (t) => T.permute(t, [1, 0])],
  ['transpose', (t) => t.transpose(0, 1), (t) => T.transpose(t, 0, 1)],
  ['expand', (t) => t.expand([2, 2, 3]), (t) => T.expand(t, [2, 2, 3])],
  ['narrow', (t) => t.narrow(1, 1, 2), (t) => T.narrow(t, 1, 1, 2)],
  ['slice', (t) => t.slice(1, 0, 3, 2), (t) => T.slice(t, 1, 0, 3, 2)],
  ['select', (t) => t.select(0, 1), (t) => T.select(t, 0, 1)],
  ['squeeze', (t) => t.unsqueeze(0).squeeze(0), (t) => T.squeeze(T.unsqueeze(t, 0), 0)],
  ['unsqueeze', (t) => t.unsqueeze(-1), (t) => T.unsqueeze(t, -1)],
  ['split', (t) => t.split(2, 1), (t) => T.split(t, 2, 1)],
  ['chunk', (t) => t.chunk(2, 1), (t) => T.chunk(t, 2, 1)],
  ['gather', (t) => t.gather(1, ids), (t) => T.gather(t, 1, ids)],
  [
    'indexSelect',
    (t) => t.indexSelect(1, y.abs().to('int32')),
    (t) => T.indexSelect(t, 1, T.abs(y).to('int32')),
  ],
  ['scatterAdd', (t) => t.scatterAdd(1, ids, t), (t) => T.scatterAdd(t, 1, ids, t)],
  ['tril', (t) => t.tril(), (t) => T.tril(t)],
  ['triu', (t) => t.triu(1), (t) => T.triu(t, 1)],
  ['topk', (t) => t.topk(2).values, (t) => T.topk(t, 2).values],
];

describe('Tensor methods', () => {
  it.each(cases)('%s matches the function', (_name, method, fn) => {
    const a = [method(x)].flat();
    const b = [fn(x)].flat();
    expect(a.map((t) => [t.dtype, t.shape, valuesOf(t)])).toEqual(
      b.map((t) => [t.dtype, t.shape, valuesOf(t)]),
    );
  });
});
