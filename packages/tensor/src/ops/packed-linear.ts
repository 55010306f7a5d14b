import type { PackedLinearKernel } from '../backend/backend.js';
import { type AnyBackend, getBackend } from '../backend/registry.js';
import { allocStorage } from '../dtype.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import type { WeightDType } from '../half-precision.js';
import { contiguousData } from '../storage.js';
import { Tensor } from '../tensor.js';

/** Options of {@link packLinear}. */
export interface PackLinearOptions {
  /**
   * Storage precision of the packed weight (default `'float32'`). `'float16'` and `'bfloat16'` keep
   * half the bytes, rounded to nearest (ties to even) as PyTorch's `.half()` / `.bfloat16()`: a
   * weight read from an F16 or BF16 safetensors file packs to exactly its stored bits. Products
   * widen them to float32 inside the kernel and compute in float32.
   */
  dtype?: WeightDType;
}

const WEIGHT_DTYPES: readonly WeightDType[] = ['float32', 'float16', 'bfloat16'];

/** Releases the backend memory of packed weights nobody released before dropping them. */
const orphans = new FinalizationRegistry<PackedLinearKernel>((kernel) => kernel.release());

/**
 * A linear layer's weight (and bias) kept in a backend's memory for repeated products
 * ({@link packedLinear}): inference, where the same weights multiply one token after another. On
 * the `wasm` backend it lives in the kernel memory, laid out for the matmul kernel, so a product
 * copies only its input and output instead of the whole weight; once threads are enabled, products
 * split across them by output columns (a single row too). It is a snapshot: later changes to the
 * source tensors do not reach it. {@link PackedLinear.release} frees the memory at once; an
 * unreleased one is freed after it is garbage-collected.
 */
export class PackedLinear {
  private kernel: PackedLinearKernel | null;

  /** @internal Use {@link packLinear}. */
  constructor(
    kernel: PackedLinearKernel,
    /** The backend that packed it and runs its products. */
    readonly backend: AnyBackend,
    readonly outFeatures: number,
    readonly inFeatures: number,
    readonly dtype: WeightDType,
    readonly hasBias: boolean,
  ) {
    this.kernel = kernel;
    orphans.register(this, kernel, this);
  }

  /** Bytes of backend memory held (0 once released). */
  get bytes(): number {
    return this.kernel?.bytes ?? 0;
  }

  /** Whether {@link PackedLinear.release} has been called. */
  get released(): boolean {
    return this.kernel === null;
  }

  /** Frees the packed copy; products with it then throw. Idempotent. */
  release(): void {
    if (!this.kernel) return;
    orphans.unregister(this);
    this.kernel.release();
    this.kernel = null;
  }

  /** @internal The backend's kernel; throws once released. */
  live(): PackedLinearKernel {
    if (!this.kernel) throw new Error('packedLinear: the packed weight was released');
    return this.kernel;
  }
}

/**
 * Packs `weight` `[out, in]` and an optional `bias` `[out]` for {@link packedLinear} on the current
 * backend (float64 inputs are rounded to float32 first).
 * @example
 * const lmHead = packLinear(wte, null, { dtype: 'bfloat16' });
 * const logits = packedLinear(x, lmHead); // x [B, T, C] → [B, T, V]
 * lmHead.release();
 * @throws ShapeError for a weight that is not 2-D or a bias of another length; DTypeError for
 * non-float tensors; RangeError for a weight a 16-bit `dtype` cannot hold (not finite, or past its range).
 */
export function packLinear(
  weight: Tensor,
  bias: Tensor | null = null,
  options: PackLinearOptions = {},
): PackedLinear {
  const dtype = options.dtype ?? 'float32';
  if (!WEIGHT_DTYPES.includes(dtype))
    throw new DTypeError(
      `packLinear: dtype must be one of ${WEIGHT_DTYPES.join(', ')}, got ${String(dtype)}`,
    );
  if (weight.ndim !== 2)
    throw new ShapeError(`packLinear: weight must be [out, in], got ${fmtShape(weight.shape)}`);
  const [n, k] = weight.shape as [number, number];
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== n))
    throw new ShapeError(
      `packLinear: bias must be [${n}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`,
    );
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const)
    if (t && t.dtype !== 'float32' && t.dtype !== 'float64')
      throw new DTypeError(`packLinear: ${name} must be float32 or float64, got ${t.dtype}`);
  const backend = getBackend();
  if (!backend.packLinear)
    throw new DTypeError(
      `packLinear: backend ${backend.name} does not pack weights (packed weights are for the CPU backends js and wasm)`,
    );
  const kernel = backend.packLinear({
    weight: contiguousData(weight, 'float32') as Float32Array,
    bias: bias ? (contiguousData(bias, 'float32') as Float32Array) : null,
    n,
    k,
    dtype,
  });
  return new PackedLinear(kernel, backend, n, k, dtype, bias !== null);
}

/**
 * `x·Wᵀ + b` with a packed weight, over the last axis of `x` (any leading axes), on the backend that
 * packed it. With a float32 weight the result equals `add(matmul(x, weight.transpose()), bias)` on
 * that backend exactly; a 16-bit weight gives the product with its rounded values, exactly.
 *
 * Shapes: `x` `[..., in]` → `[..., out]`.
 * @throws DTypeError unless `x` is float32; ShapeError when its last axis is not `in`; Error when
 * the weight was released.
 */
export function packedLinear(x: Tensor, packed: PackedLinear): Tensor {
  if (x.dtype !== 'float32') throw new DTypeError(`packedLinear: x must be float32, got ${x.dtype}`);
  const k = packed.inFeatures;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== k)
    throw new ShapeError(
      `packedLinear: x ${fmtShape(x.shape)} must end in ${k} (the weight is [${packed.outFeatures}, ${k}])`,
    );
  const m = x.size / k;
  const n = packed.outFeatures;
  const out = allocStorage('float32', m * n);
  packed.live().apply(contiguousData(x) as Float32Array, m, out);
  return new Tensor(out, [...x.shape.slice(0, -1), n]);
}
