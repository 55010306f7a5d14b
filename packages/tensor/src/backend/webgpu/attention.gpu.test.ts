import { afterAll, describe, expect, it } from 'vitest';
import { describeMismatch, firstMismatch, randomF32 } from '../../testing/conformance/helpers.js';
import type { AttentionArgs, AttentionBackwardArgs, MatrixBatch } from '../backend.js';
import { jsBackend } from '../js/index.js';
import type { DeviceMemory } from '../memory.js';
import type { GPUStorage } from './gpu-storage.js';
import { matmulKernels } from './matmul.js';
import { type MatrixLayout, randomMatrices } from './matrix-testing.js';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('WebGPU attention');
afterAll(() => rt?.device.destroy());
const kernels = rt && matmulKernels(rt);

/** The float32 elements of `storage`, once the queued kernels have run. */
const read = async (storage: GPUStorage) => (await rt!.readAsync(storage)) as Float32Array;

type Shape = Pick<AttentionArgs, 'batch' | 'groups' | 'L' | 'S' | 'E' | 'Ev' | 'causal'>;
/** Host arguments of a forward call. */
type HostArgs = Omit<AttentionArgs, 'out' | 'lse'>;

/**
 * The reference computes each row in double precision; the GPU sums the E-long dot products and
 * the S-long softmax sums in float32 in blocks, and WGSL's exp and log are a few ulp off. Scores
 * reach |scale·q·k| ≈ 10 here, so the weights carry relative errors of a few 1e-6 and the outputs
 * (sums of S weighted values) a few 1e-6 absolute: 2e-4 relative + 2e-5 absolute leaves a margin
 * of ten. Gradients subtract nearly equal terms (dp − D) and sum over L or S rows, so they get
 * 1e-3 and 1e-4. A wrong index or a missing key changes a result by a whole weight (≥ 1e-2 here).
 */
function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rtol = 2e-4,
  atol = 2e-5,
) {
  const i = firstMismatch(actual, expected, rtol, atol);
  expect(i, `${what}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
}

const LAYOUTS: MatrixLayout[] = ['rowMajor', 'transposed', 'spread'];

/** Random q, k, v (q and k in [−2, 2)), each in its own layout (rotating with `n`) after a few pad elements. */
function operands(s: Shape, seed: number, n = 0): Pick<HostArgs, 'q' | 'k' | 'v'> {
  const { batch, groups, L, S, E, Ev } = s;
  const layout = (i: number) => LAYOUTS[(n + i) % LAYOUTS.length];
  return {
    q: randomMatrices(batch, L, E, seed, { layout: layout(0), pad: 5, lo: -2, hi: 2 }),
    k: randomMatrices(batch / groups, S, E, seed + 1, { layout: layout(1), pad: 2, gap: 3, lo: -2, hi: 2 }),
    v: randomMatrices(batch / groups, S, Ev, seed + 2, { layout: layout(2), pad: 1 }),
  };
}

/** Sets element (`i`, `j`) of matrix `b` of a host batch. */
function setElement(m: MatrixBatch, b: number, i: number, j: number, value: number): void {
  m.data[m.offsets[b]! + i * m.rowStride + j * m.colStride] = value;
}

/** An additive mask with about a fifth of the keys at −∞, never key 0 (so no row is fully hidden). */
function randomMask(count: number, L: number, S: number, seed: number): Float32Array {
  const m = randomF32(count * L * S, seed, -2, 2);
  for (let i = 0; i < m.length; i++) if (i % S !== 0 && m[i]! > 1.2) m[i] = Number.NEGATIVE_INFINITY;
  return m;
}

/** Host views moved to the GPU, each distinct host array uploaded once (shared storage stays shared). */
function deviceViews<K extends string>(views: Record<K, MatrixBatch>): Record<K, MatrixBatch<DeviceMemory>> {
  const uploaded = new Map<unknown, GPUStorage>();
  const moved = {} as Record<K, MatrixBatch<DeviceMemory>>;
  for (const [name, view] of Object.entries(views) as [K, MatrixBatch][]) {
    if (!uploaded.has(view.data)) uploaded.set(view.data, rt!.upload(view.data));
    moved[name] = { ...view, data: uploaded.get(view.data)! };
  }
  return moved;
}

/** The forward on the reference and on the GPU. */
async function forward(a: HostArgs) {
  const { batch, L, Ev } = a;
  const ref = { out: new Float32Array(batch * L * Ev), lse: new Float32Array(batch * L) };
  jsBackend.attention({ ...a, ...ref });
  const out = rt!.upload(new Float32Array(batch * L * Ev).fill(7));
  const lse = rt!.upload(new Float32Array(batch * L).fill(7));
  const mask = a.mask ? rt!.upload(a.mask) : null;
  kernels!.attention({ ...a, ...deviceViews({ q: a.q, k: a.k, v: a.v }), mask, out, lse });
  return { ref, got: { out: await read(out), lse: await read(lse) } };
}

/** The backward from the reference's forward, on the reference and on the GPU (dk, dv start NaN). */
async function backward(a: HostArgs, fwd: { out: Float32Array; lse: Float32Array }, dout: MatrixBatch) {
  const { batch, groups, L, S, E, Ev } = a;
  const kv = batch / groups;
  const fresh = () => ({
    dq: new Float32Array(batch * L * E),
    dk: new Float32Array(kv * S * E).fill(Number.NaN),
    dv: new Float32Array(kv * S * Ev).fill(Number.NaN),
  });
  const ref = fresh();
  jsBackend.attentionBackward({ ...a, ...fwd, dout, ...ref } satisfies AttentionBackwardArgs);
  const init = fresh();
  const [dq, dk, dv] = [rt!.upload(init.dq), rt!.upload(init.dk), rt!.upload(init.dv)];
  kernels!.attentionBackward({
    ...a,
    ...deviceViews({ q: a.q, k: a.k, v: a.v, dout }),
    mask: a.mask ? rt!.upload(a.mask) : null,
    out: rt!.upload(fwd.out),
    lse: rt!.upload(fwd.lse),
    dq,
    dk,
    dv,
  });
  return { ref, got: { dq: await read(dq), dk: await read(dk), dv: await read(dv) } };
}

/** Forward and backward against the reference, `dout` row-major or spread. */
async function check(a: HostArgs, what: string, stridedDout = false) {
  const { batch, L, Ev } = a;
  const fwd = await forward(a);
  expectClose(fwd.got.out, fwd.ref.out, `${what} out`);
  expectClose(fwd.got.lse, fwd.ref.lse, `${what} lse`);
  const dout = randomMatrices(batch, L, Ev, 17, { layout: stridedDout ? 'spread' : 'rowMajor', gap: 2 });
  const { ref, got } = await backward(a, fwd.ref, dout);
  expectClose(got.dq, ref.dq, `${what} dq`, 1e-3, 1e-4);
  expectClose(got.dk, ref.dk, `${what} dk`, 1e-3, 1e-4);
  expectClose(got.dv, ref.dv, `${what} dv`, 1e-3, 1e-4);
  return { fwd, grads: got };
}

const SHAPES: Shape[] = [
  { batch: 1, groups: 1, L: 1, S: 1, E: 1, Ev: 1, causal: false },
  { batch: 2, groups: 1, L: 3, S: 5, E: 2, Ev: 3, causal: true }, // KV cache: L < S
  { batch: 4, groups: 2, L: 33, S: 33, E: 8, Ev: 8, causal: true }, // grouped-query heads, block tails
  { batch: 6, groups: 3, L: 5, S: 70, E: 6, Ev: 4, causal: false },
  { batch: 2, groups: 1, L: 40, S: 75, E: 16, Ev: 20, causal: true },
  { batch: 2, groups: 2, L: 9, S: 13, E: 80, Ev: 130, causal: true }, // head dims past one 64-column chunk
  { batch: 3, groups: 1, L: 64, S: 64, E: 32, Ev: 32, causal: true }, // the GPT heads
];

describe.runIf(rt)('webgpu fused attention', () => {
  it('forward and backward: causal, KV-cache, grouped-query, masked and strided shapes', async () => {
    for (const [n, shape] of SHAPES.entries())
      for (const maskBatch of [0, 1, shape.batch]) {
        const seed = 100 * n + maskBatch;
        const args: HostArgs = {
          ...shape,
          ...operands(shape, seed, n),
          mask: maskBatch ? randomMask(maskBatch, shape.L, shape.S, seed + 3) : null,
          maskBatch: Math.max(1, maskBatch),
          scale: 0.3 + 0.1 * n,
        };
        await check(args, `${JSON.stringify(shape)} maskBatch=${maskBatch}`, n % 2 === 1);
      }
  });

  it('a query that sees no key is NaN (lse −∞), and NaN reaches the gradients as in the reference', async () => {
    // causal with L > S: the first L − S queries see nothing
    const shape = { batch: 2, groups: 1, L: 7, S: 3, E: 4, Ev: 5, causal: true };
    const hidden = await check(
      { ...shape, ...operands(shape, 1, 0), mask: null, maskBatch: 1, scale: 0.5 },
      'L > S',
    );
    expect(Number.isNaN(hidden.fwd.got.out[0]!) && hidden.fwd.got.lse[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(hidden.grads.dv.every(Number.isNaN)).toBe(true);
    // whole blocks of 32 queries that see nothing (the kernels skip them), and a causal row whose
    // only key is masked, in a block that later key blocks skip: NaN still reaches every gradient
    const blind = { batch: 1, groups: 1, L: 40, S: 3, E: 2, Ev: 2, causal: true };
    await check({ ...blind, ...operands(blind, 6), mask: null, maskBatch: 1, scale: 0.5 }, 'L − S ≥ 32');
    const long = { batch: 1, groups: 1, L: 40, S: 40, E: 3, Ev: 2, causal: true };
    const firstKeyHidden = new Float32Array(40 * 40);
    firstKeyHidden[0] = Number.NEGATIVE_INFINITY;
    const masked = await check(
      { ...long, ...operands(long, 7), mask: firstKeyHidden, maskBatch: 1, scale: 0.5 },
      'query 0 fully masked',
    );
    expect(masked.grads.dk.every(Number.isNaN)).toBe(true);
    // a mask that hides every key of one row, in the second of two heads sharing keys
    const grouped = { batch: 2, groups: 2, L: 4, S: 6, E: 3, Ev: 2, causal: false };
    const mask = randomMask(2, 4, 6, 5);
    mask.fill(Number.NEGATIVE_INFINITY, (4 + 2) * 6, (4 + 3) * 6);
    await check({ ...grouped, ...operands(grouped, 2, 0), mask, maskBatch: 2, scale: 0.7 }, 'masked row');
  });

  it('NaN and +∞ scores make their row NaN; a value the query cannot see stays out of it', async () => {
    const shape = { batch: 1, groups: 1, L: 4, S: 4, E: 3, Ev: 2, causal: true };
    const args: HostArgs = { ...shape, ...operands(shape, 3), mask: null, maskBatch: 1, scale: 0.5 };
    const q = { ...args.q, data: (args.q.data as Float32Array).slice() };
    setElement(q, 0, 1, 2, Number.NaN); // query 1
    const mask = new Float32Array(16);
    mask[2 * 4 + 1] = Number.POSITIVE_INFINITY; // query 2, key 1
    await check({ ...args, q, mask }, 'NaN and +∞ scores');
    // NaN in the value of key 3, which queries 0–2 cannot see: the reference's forward multiplies
    // it by weight 0 (NaN), flash attention skips it; both backwards skip it for those queries
    const v = { ...args.v, data: (args.v.data as Float32Array).slice() };
    setElement(v, 0, 3, 0, Number.NaN);
    const { got } = await forward({ ...args, v });
    expect(got.out.slice(0, 3 * 2).every(Number.isFinite)).toBe(true);
    const grads = await backward({ ...args, v }, got, randomMatrices(1, 4, 2, 8));
    expect(grads.ref.dq.slice(0, 3 * 3).every(Number.isFinite)).toBe(true);
    expectClose(grads.got.dq, grads.ref.dq, 'dq with a hidden NaN value', 1e-3, 1e-4);
    expectClose(grads.got.dk, grads.ref.dk, 'dk with a hidden NaN value', 1e-3, 1e-4);
    expectClose(grads.got.dv, grads.ref.dv, 'dv with a hidden NaN value', 1e-3, 1e-4);
  });

  it('empty shapes: no keys (out 0, lse −∞), zero head dimensions', async () => {
    const noKeys = { batch: 2, groups: 1, L: 3, S: 0, E: 2, Ev: 2, causal: false };
    const empty = await check(
      { ...noKeys, ...operands(noKeys, 4, 0), mask: null, maskBatch: 1, scale: 1 },
      'S = 0',
    );
    expect([...empty.fwd.got.out]).toEqual(new Array(12).fill(0));
    for (const dims of [
      { E: 0, Ev: 3 },
      { E: 3, Ev: 0 },
    ]) {
      const shape = { batch: 2, groups: 1, L: 3, S: 4, causal: true, ...dims };
      await check(
        { ...shape, ...operands(shape, 5, 0), mask: null, maskBatch: 1, scale: 1 },
        JSON.stringify(dims),
      );
    }
  });

  it('reads keys and values from the used rows of a mostly empty KV cache', async () => {
    const [batch, groups, S, E, capacity] = [6, 2, 37, 8, 1000];
    const unused = { gap: (capacity - S) * E };
    const args: HostArgs = {
      batch,
      groups,
      L: 1,
      S,
      E,
      Ev: E,
      causal: true,
      q: randomMatrices(batch, 1, E, 1, { lo: -2, hi: 2 }),
      k: randomMatrices(batch / groups, S, E, 2, { ...unused, lo: -2, hi: 2 }),
      v: randomMatrices(batch / groups, S, E, 3, unused),
      mask: null,
      maskBatch: 1,
      scale: 0.4,
    };
    await check(args, 'KV cache');
  });

  it('reads q, k and v in place from one fused qkv projection (one buffer bound three times)', async () => {
    // qkv [B, T, 3·H·hs]: head h of batch entry t reads columns h·hs… of q, C + h·hs… of k, 2C + … of v
    const [B, T, H, hs] = [2, 37, 3, 8];
    const C = H * hs;
    const data = randomF32(B * T * 3 * C, 9, -2, 2);
    const view = (part: number): MatrixBatch => ({
      data,
      offsets: Int32Array.from(
        { length: B * H },
        (_, i) => Math.floor(i / H) * T * 3 * C + part * C + (i % H) * hs,
      ),
      rowStride: 3 * C,
      colStride: 1,
    });
    const shape = { batch: B * H, groups: 1, L: T, S: T, E: hs, Ev: hs, causal: true };
    await check(
      { ...shape, q: view(0), k: view(1), v: view(2), mask: null, maskBatch: 1, scale: hs ** -0.5 },
      'qkv',
    );
  });
});
