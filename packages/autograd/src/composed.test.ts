import { type DType, type Tensor, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/composed.json';
import {
  crossEntropy,
  gelu,
  layerNorm,
  linear,
  relu,
  scaledDotProductAttention,
  type Variable,
  variable,
} from './index.js';

/**
 * Independent check of composed models: losses and gradients computed by PyTorch autograd
 * (tooling/fixtures/autograd_fixture.py) are reproduced with @proj/autograd's ops.
 */

interface Entry {
  shape: number[];
  data: number[];
}
interface Result {
  loss: number;
  grads: Record<string, number[]>;
}

const tolerance = { float32: 1e-4, float64: 1e-9 } as const;

/** Leaves of `dtype` that require grad, built from the fixture's decimal inputs. */
function leaves(inputs: Record<string, Entry>, dtype: DType): Record<string, Variable> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, { shape, data }]) => [
      name,
      variable(tensor(data, { dtype, shape }), { requiresGrad: true }),
    ]),
  );
}

/** Largest |got − want| relative to the largest |want| of the tensor. */
function relativeError(got: Tensor | number, want: number[] | number): number {
  const g = typeof got === 'number' ? [got] : Array.from(got.data());
  const w = typeof want === 'number' ? [want] : want;
  expect(g.length).toBe(w.length);
  const scale = Math.max(...w.map(Math.abs));
  return Math.max(...g.map((v, i) => Math.abs(v - w[i]!))) / scale;
}

/** Checks the loss and every stored gradient against the fixture at the dtype's tolerance. */
function compare(
  loss: Variable,
  params: Record<string, Variable>,
  want: Result,
  dtype: 'float32' | 'float64',
) {
  expect(loss.dtype).toBe(dtype);
  expect(relativeError(loss.item(), want.loss)).toBeLessThanOrEqual(tolerance[dtype]);
  loss.backward();
  for (const [name, grad] of Object.entries(want.grads)) {
    const got = params[name]!.grad;
    expect(got, `${name} has no gradient`).not.toBeNull();
    expect(got!.dtype).toBe(dtype);
    expect(relativeError(got!, grad), `gradient of ${name}`).toBeLessThanOrEqual(tolerance[dtype]);
  }
}

/** 2-layer MLP with two cross-entropy terms (label smoothing, ignore index, mean and sum). */
function mlpLoss(p: Record<string, Variable>): Variable {
  const logits = linear(relu(linear(p.x!, p.w1!, p.b1!)), p.w2!, p.b2!);
  const first = crossEntropy(logits, tensor(fixture.mlp.targets, { dtype: 'int32' }), {
    labelSmoothing: 0.1,
  });
  const second = crossEntropy(logits, tensor(fixture.mlp.targets2, { dtype: 'int32' }), {
    ignoreIndex: 3,
    reduction: 'sum',
    labelSmoothing: 0.05,
  });
  return first.add(second.mul(0.5));
}

/** One pre-norm GPT block (nanoGPT layout), reduced to a scalar with the fixed projection `r`. */
function attentionLoss(p: Record<string, Variable>): Variable {
  const [B, T, C] = fixture.attention.inputs.x.shape as [number, number, number];
  const nh = 2;
  const hs = C / nh;
  const h = layerNorm(p.x!, p.ln1_weight!, p.ln1_bias!);
  const [q, k, v] = linear(h, p.attn_weight!, p.attn_bias!)
    .split(C, 2)
    .map((t) => t.view([B, T, nh, hs]).transpose(1, 2)); // (B, nh, T, hs)
  const y = scaledDotProductAttention(q!, k!, v!, { causal: true })
    .transpose(1, 2)
    .contiguous()
    .view([B, T, C]); // (B, T, C)
  const x = p.x!.add(linear(y, p.proj_weight!, p.proj_bias!));
  const m = linear(
    gelu(linear(layerNorm(x, p.ln2_weight!, p.ln2_bias!), p.fc_weight!, p.fc_bias!), { approximate: 'tanh' }),
    p.fc_proj_weight!,
    p.fc_proj_bias!,
  );
  return x.add(m).mul(p.r!.detach()).sum();
}

describe('composed models match PyTorch autograd (committed fixture)', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`2-layer MLP with cross-entropy, ${dtype}`, () => {
      const params = leaves(fixture.mlp.inputs, dtype);
      compare(mlpLoss(params), params, fixture.mlp[dtype], dtype);
    });

    it(`causal self-attention block, ${dtype}`, () => {
      const params = leaves(fixture.attention.inputs, dtype);
      compare(attentionLoss(params), params, fixture.attention[dtype], dtype);
    });
  }
});
