import { type PackedLinear, packLinear, type WeightDType } from '@proj/tensor';
import { Linear } from '../layers/linear.js';
import type { Module, Parameter } from '../module.js';

/** Options of {@link packWeights}. */
export interface PackWeightsOptions {
  /**
   * Storage precision of the packed weights (default `'float32'`, which computes exactly what the
   * unpacked model computes). `'bfloat16'` / `'float16'` keep half the bytes (rounded to nearest as
   * PyTorch's `.bfloat16()` / `.half()`; a checkpoint stored in that format packs to its own bits),
   * widened to float32 inside the kernels: decoding reads half the memory.
   */
  dtype?: WeightDType;
}

/** What {@link packWeights} returns. */
export interface PackedWeights {
  /** Storage precision of the packed weights. */
  readonly dtype: WeightDType;
  /** Linear layers that use packed weights. */
  readonly layers: number;
  /** Backend memory the packed weights hold (a weight shared by layers counts once). */
  readonly bytes: number;
  /** Whether {@link PackedWeights.release} has run. */
  readonly released: boolean;
  /** Puts every layer back on its own weights and frees the packed copies. Idempotent. */
  release(): void;
}

const packedModels = new WeakMap<Module, PackedWeights>();

/**
 * Packs the weight (and bias) of every float32 {@link Linear} of `model` for inference, once
 * (`@proj/tensor`'s `packLinear`: in the kernel memory, laid out for the matmul kernel, split across
 * threads by output columns): while packed, a Linear's `forward` and `forwardTransposed` run on the
 * packed copy whenever gradients are off (`noGrad`, as in `generate`), so a decoding step copies
 * only activations. Layers sharing a weight (a GPT's tied `lm_head`) share one packed copy. The
 * packed weights are a snapshot: release them before changing the weights (training, LoRA merges)
 * and pack again afterwards. {@link generate} packs for the length of its call unless the model is
 * packed already.
 * @example
 * const packed = packWeights(model.eval(), { dtype: 'bfloat16' });
 * try { for (const prompt of prompts) generate(model, prompt, { maxNewTokens: 50 }); } finally { packed.release(); }
 * @throws Error when `model` is packed already (release that first); RangeError when a weight does
 * not fit a 16-bit dtype.
 */
export function packWeights(model: Module, options: PackWeightsOptions = {}): PackedWeights {
  if (packedWeightsOf(model))
    throw new Error('packWeights: the model is packed already; release() its packed weights first');
  const dtype = options.dtype ?? 'float32';
  const shared = new Map<Parameter, { bias: Parameter | null; packed: PackedLinear }>();
  const linears: Linear[] = [];
  try {
    for (const [, m] of model.namedModules()) {
      if (!(m instanceof Linear) || m.weight.dtype !== 'float32' || m._packed) continue;
      const hit = shared.get(m.weight);
      const packed =
        hit && hit.bias === m.bias ? hit.packed : packLinear(m.weight.data, m.bias?.data ?? null, { dtype });
      if (!hit) shared.set(m.weight, { bias: m.bias, packed });
      m._packed = packed;
      linears.push(m);
    }
  } catch (error) {
    unpack(linears);
    throw error;
  }
  const copies = new Set(linears.map((m) => m._packed!));
  const bytes = [...copies].reduce((sum, p) => sum + p.bytes, 0);
  let released = false;
  const handle: PackedWeights = {
    dtype,
    layers: linears.length,
    bytes,
    get released() {
      return released;
    },
    release() {
      if (released) return;
      released = true;
      unpack(linears);
      packedModels.delete(model);
    },
  };
  packedModels.set(model, handle);
  return handle;
}

/** The live {@link PackedWeights} of `model`, if {@link packWeights} packed it. */
export function packedWeightsOf(model: Module): PackedWeights | undefined {
  return packedModels.get(model);
}

/** Runs `fn` with `model` packed (see {@link packWeights}), and releases the packed weights afterwards. */
export function withPackedWeights<T>(model: Module, options: PackWeightsOptions, fn: () => T): T {
  const packed = packWeights(model, options);
  try {
    return fn();
  } finally {
    packed.release();
  }
}

function unpack(linears: readonly Linear[]): void {
  for (const m of linears) {
    m._packed?.release();
    m._packed = null;
  }
}
