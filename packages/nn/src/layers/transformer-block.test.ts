import { Generator, randn } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { TransformerBlock } from './transformer-block.js';

const f64 = { dtype: 'float64' as const };

describe('TransformerBlock', () => {
  it('is two pre-norm residual lines: x + attn(ln_1(x)), then + mlp(ln_2(·))', () => {
    const block = new TransformerBlock(8, 2, { ...f64, generator: new Generator(0) });
    expect(block.namedChildren().map(([n]) => n)).toEqual(['ln_1', 'attn', 'ln_2', 'mlp']);
    const x = randn([2, 5, 8], { ...f64, generator: new Generator(1) });
    const h = block.attn.forward(block.ln_1.forward(x)).add(x);
    const expected = block.mlp.forward(block.ln_2.forward(h)).add(h);
    const out = block.forward(x);
    expect(out.shape).toEqual([2, 5, 8]);
    expect(out.data.sub(expected.data).abs().max().item()).toBeLessThan(1e-14);
  });

  it('an option passed as undefined keeps its default (causal true, dropout 0)', () => {
    const block = new TransformerBlock(8, 2, { causal: undefined, dropout: undefined });
    expect(block.attn.causal).toBe(true);
    expect(block.mlp.dropout.p).toBe(0);
  });

  it('is causal by default and forwards attention options (bias, grouped heads)', () => {
    const block = new TransformerBlock(8, 4, { nKVHead: 2, bias: false, generator: new Generator(2) });
    expect(block.attn.nKVHead).toBe(2);
    expect(block.namedParameters().some(([n]) => n.endsWith('bias'))).toBe(false);
    const x = randn([1, 4, 8], { generator: new Generator(3) });
    const before = block.forward(x).toArray() as number[][][];
    const changed = x.clone();
    changed.narrow(1, 3, 1).assign(0);
    const after = block.forward(changed).toArray() as number[][][];
    expect(after[0]!.slice(0, 3)).toEqual(before[0]!.slice(0, 3));
    expect(after[0]![3]).not.toEqual(before[0]![3]);
  });

  it('passes gradcheck', () => {
    const block = new TransformerBlock(4, 2, { ...f64, hidden: 6, generator: new Generator(4) });
    const x = randn([1, 3, 4], { ...f64, generator: new Generator(5) });
    expect(gradcheckModule(block, (v) => block.forward(v), [x]).ok).toBe(true);
  });
});
