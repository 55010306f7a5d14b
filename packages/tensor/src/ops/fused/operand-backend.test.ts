import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../backend/backend.js';
import { type DeviceMemory, type DeviceStorage, isDeviceStorage } from '../../backend/memory.js';
import { getBackend, registerBackend } from '../../backend/registry.js';
import { Generator } from '../../random/generator.js';
import type { Tensor } from '../../tensor.js';
import {
  assertClose,
  createEmulatedDeviceBackend,
  errorOf,
  withBackend,
  withoutFusedKernels,
} from '../../testing/index.js';
import { tensor } from '../creation.js';
import { mulInPlace } from '../in-place.js';
import { maxPool2dWithIndices } from '../pool.js';
import { randint, randn } from '../random.js';
import { unaryBackward } from './activation-backward.js';
import { adamwStep } from './adamw.js';
import { scaledDotProductAttentionBackward, scaledDotProductAttentionForward } from './attention.js';
import { attentionSoftmaxBackward, attentionSoftmaxForward } from './attention-softmax.js';
import { crossEntropyBackward, crossEntropyForward } from './cross-entropy.js';
import { layerNormBackward, layerNormForward, rmsNormBackward, rmsNormForward } from './norm.js';
import { avgPool2dBackward, maxPool2dBackward } from './pool-backward.js';
import { logSoftmaxBackward, softmaxBackward, softmaxLastDim } from './softmax.js';

/**
 * Fused functions run where their operands live, as the primitive ops do (`backendFor`): host
 * operands on a host backend whatever backend is active, device operands on their device backend.
 * The emulated device runs the JS kernels behind device memory, and records every call it gets.
 */
const DEVICE = 'operand-backend-device';
/** The default host backend (wasm where available): host operands run there while a device is active. */
const HOST = getBackend().name;
/** Every call the device backend got (memory functions and kernels), by name. */
const deviceCalls: string[] = [];

beforeAll(() => {
  const device = createEmulatedDeviceBackend({ name: DEVICE });
  const recorded = Object.fromEntries(
    Object.entries(device).map(([name, member]) => [
      name,
      typeof member === 'function'
        ? (...args: unknown[]) => {
            deviceCalls.push(name);
            return member(...args);
          }
        : member,
    ]),
  ) as unknown as Backend<DeviceMemory>;
  registerBackend(recorded);
});

/** A host tensor's copy in the device's memory. */
function onDevice(t: Tensor): Tensor {
  return withBackend(DEVICE, () => tensor(t.toArray() as number[], { dtype: t.dtype }));
}

const generator = new Generator(7);
const normal = (shape: number[]) => randn(shape, { generator, dtype: 'float32' });
const x = normal([3, 5]);
const dy = normal([3, 5]);
const weight = normal([5]);
const bias = normal([5]);
const probs = softmaxLastDim('softmax', x, false);
const logProbs = softmaxLastDim('logSoftmax', x, true);
const norm = layerNormForward(x, weight, bias);
const rms = rmsNormForward(x, weight);
const targets = randint(0, 5, [3], { generator });
const lse = crossEntropyForward(x, targets).lse;
const [q, k, v] = [normal([2, 4, 3]), normal([2, 6, 3]), normal([2, 6, 2])];
const mask = normal([4, 6]).gt(-1);
const attention = scaledDotProductAttentionForward(q, k, v, { mask, causal: true });
const dout = normal([2, 4, 2]);
const scores = normal([2, 4, 6]);
const weights = attentionSoftmaxForward(scores, 0.5, true);
const dWeights = normal([2, 4, 6]);
const images = normal([2, 3, 4, 4]);
const pooled = maxPool2dWithIndices(images, 2);
const dPooled = normal([2, 3, 2, 2]);
const moments = [normal([3, 5]), normal([3, 5]).abs()] as const;

/** One fused function on operands made by `place` (a host copy, or a device copy); in-place ones return what they update. */
type Run = (place: (t: Tensor) => Tensor) => Record<string, Tensor | null>;

/** Each fused function, with the device kernel it runs there. */
const CASES: [name: string, kernel: string, run: Run][] = [
  ['softmax', 'softmax', (p) => ({ out: softmaxLastDim('softmax', p(x), false) })],
  ['softmaxBackward', 'softmaxBackward', (p) => ({ dx: softmaxBackward(p(dy), p(probs)) })],
  ['logSoftmaxBackward', 'softmaxBackward', (p) => ({ dx: logSoftmaxBackward(p(dy), p(logProbs)) })],
  ['unaryBackward', 'unaryBackward', (p) => ({ dx: unaryBackward('gelu', p(dy), p(x)) })],
  ['layerNormForward', 'layerNorm', (p) => ({ ...layerNormForward(p(x), p(weight), p(bias)) })],
  [
    'layerNormBackward',
    'layerNormBackward',
    (p) => ({ ...layerNormBackward(p(dy), p(x), p(norm.mean), p(norm.rstd), p(weight), { bias: true }) }),
  ],
  ['rmsNormForward', 'layerNorm', (p) => ({ ...rmsNormForward(p(x), p(weight)) })],
  [
    'rmsNormBackward',
    'layerNormBackward',
    (p) => ({ ...rmsNormBackward(p(dy), p(x), p(rms.rstd), p(weight)) }),
  ],
  ['crossEntropyForward', 'crossEntropy', (p) => ({ ...crossEntropyForward(p(x), p(targets)) })],
  [
    'crossEntropyBackward',
    'crossEntropyBackward',
    (p) => ({
      dlogits: crossEntropyBackward(p(x), p(targets), p(lse), p(lse.mul(0.5)), { labelSmoothing: 0.1 }),
    }),
  ],
  [
    'attentionSoftmaxForward',
    'attentionSoftmax',
    (p) => ({ out: attentionSoftmaxForward(p(scores), 0.5, true) }),
  ],
  [
    'attentionSoftmaxBackward',
    'attentionSoftmaxBackward',
    (p) => ({ dx: attentionSoftmaxBackward(p(dWeights), p(weights), 0.5) }),
  ],
  [
    'scaledDotProductAttentionForward',
    'attention',
    (p) => ({ ...scaledDotProductAttentionForward(p(q), p(k), p(v), { mask: p(mask), causal: true }) }),
  ],
  [
    'scaledDotProductAttentionBackward',
    'attentionBackward',
    (p) => ({
      ...scaledDotProductAttentionBackward(p(dout), p(q), p(k), p(v), p(attention.out), p(attention.lse), {
        mask: p(mask),
        causal: true,
      }),
    }),
  ],
  [
    'maxPool2dBackward',
    'maxPool2dBackward',
    (p) => ({ dx: maxPool2dBackward(p(dPooled), p(pooled.indices), images.shape, 2) }),
  ],
  ['avgPool2dBackward', 'avgPool2dBackward', (p) => ({ dx: avgPool2dBackward(p(dPooled), images.shape, 2) })],
  [
    'adamwStep',
    'adamw',
    (p) => {
      const [param, m, v2] = [p(x), p(moments[0]), p(moments[1])];
      adamwStep(param, p(dy), m, v2, { lr: 0.1, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.01, step: 3 });
      return { param, m, v: v2 };
    },
  ],
];

/** A fresh host copy (in-place functions must not touch the shared inputs). */
const onHost = (t: Tensor) => t.clone();

/** Expects `got` to hold `expected`'s results (null where it has null), each in `memory` (a backend name, or 'host'). */
async function expectResults(
  got: Record<string, Tensor | null>,
  expected: Record<string, Tensor | null>,
  memory: string,
): Promise<void> {
  expect(Object.keys(got)).toEqual(Object.keys(expected));
  for (const [name, want] of Object.entries(expected)) {
    const result = got[name]!;
    if (want === null) {
      expect(result, name).toBeNull();
      continue;
    }
    const buffer = result.buffer;
    expect(isDeviceStorage(buffer) ? (buffer as DeviceStorage).backend : 'host', name).toBe(memory);
    expect(result.shape, name).toEqual(want.shape);
    expect([...(await result.dataAsync())], name).toEqual([...want.data()]);
  }
}

describe('fused functions run on the backend that holds their operands', () => {
  it.each(CASES)(
    '%s on host operands stays on the host while a device backend is active',
    async (_, __, run) => {
      const expected = withBackend(HOST, () => run(onHost));
      deviceCalls.length = 0;
      const got = withBackend(DEVICE, () => run(onHost));
      expect(deviceCalls).toEqual([]);
      await expectResults(got, expected, 'host');
    },
  );

  it.each(CASES)(
    '%s on device operands runs on the device while a host backend is active',
    async (_, kernel, run) => {
      const expected = withBackend('js', () => run(onHost));
      deviceCalls.length = 0;
      const got = withBackend('js', () => run(onDevice));
      expect(deviceCalls).toContain(kernel);
      await expectResults(got, expected, DEVICE);
    },
  );
});

describe('the composed defaults on a device backend without fused kernels', () => {
  const BARE = 'operand-backend-bare-device';
  beforeAll(() => registerBackend(withoutFusedKernels(createEmulatedDeviceBackend({ name: BARE }), BARE)));

  it('mask causal scores in its memory while it is active (L < S, L = S, L > S)', async () => {
    for (const [L, S] of [
      [4, 6],
      [4, 4],
      [6, 4],
    ] as const) {
      const [qs, ks, x2] = [normal([2, L, 3]), normal([2, S, 3]), normal([2, L, S])];
      const expected = withBackend('js', () => ({
        out: scaledDotProductAttentionForward(qs, ks, ks, { causal: true }).out,
        weights: attentionSoftmaxForward(x2, 0.5, true),
      }));
      const place = (t: Tensor) => withBackend(BARE, () => tensor(t.toArray() as number[]));
      const got = withBackend(BARE, () => ({
        out: scaledDotProductAttentionForward(place(qs), place(ks), place(ks), { causal: true }).out,
        weights: attentionSoftmaxForward(place(x2), 0.5, true),
      }));
      for (const name of ['out', 'weights'] as const)
        assertClose(await got[name].toHost(), expected[name], { rtol: 1e-5, atol: 1e-6 });
    }
  });
});

describe('adamwStep across memories', () => {
  it('refuses a host tensor it would update beside operands in device memory', () => {
    const [param, m, v] = [onDevice(x), moments[0].clone(), onDevice(moments[1])];
    const options = { lr: 0.1, betas: [0.9, 0.99] as const, eps: 1e-8, weightDecay: 0, step: 1 };
    expect(errorOf(() => adamwStep(param, onDevice(dy), m, v, options))).toEqual({
      name: 'DeviceMemoryError',
      message: `adamwStep: expAvg is updated in place but lives in host memory while other operands live in ${DEVICE} memory; create it under setBackend('${DEVICE}')`,
    });
  });
});

describe('mulInPlace runs on the backend that holds its tensor', () => {
  // 0.1 is not a float32: the host path rounds the double product once, the device path multiplies
  // by the float32 scalar (mul(t, 0.1)), so the two differ in some elements
  const factor = 0.1;

  it('scales a host tensor with the host kernel while a device backend is active', () => {
    const t = x.clone();
    deviceCalls.length = 0;
    withBackend(DEVICE, () => mulInPlace(t, factor));
    expect(deviceCalls).toEqual([]);
    expect([...t.data()]).toEqual([...Float32Array.from(x.data(), (value) => value * factor)]);
  });

  it('scales a device tensor on its device while a host backend is active', async () => {
    const t = onDevice(x);
    const storage = t.buffer;
    deviceCalls.length = 0;
    withBackend('js', () => mulInPlace(t, factor));
    expect(deviceCalls).toContain('binary');
    expect(t.buffer).toBe(storage);
    expect([...(await t.dataAsync())]).toEqual([...x.mul(factor).data()]);
  });
});
