import { afterAll, describe, expect, it } from 'vitest';
import { tensor } from '../../ops/creation.js';
import { randn } from '../../ops/random.js';
import { Generator } from '../../random/generator.js';
import { withBackend } from '../../testing/backends.js';
import { testWebGPUBackend } from '../../testing/index.js';
import { isDeviceStorage } from '../memory.js';
import { registerBackend } from '../registry.js';

const backend = await testWebGPUBackend('webgpu gather');
if (backend) registerBackend(backend);
afterAll(() => backend?.finish());

describe.runIf(backend)('gather and scatterAdd of tensors in GPU memory', () => {
  // [2, 5, 3] values; an index [2, 4, 2] along dim 1: smaller than x outside it, repeats included
  const x = () => randn([2, 5, 3], { generator: new Generator(1) });
  const index = () =>
    tensor(
      Array.from({ length: 16 }, (_, i) => (i * 7 + (i >> 2)) % 5),
      { dtype: 'int32' },
    ).reshape([2, 4, 2]);
  const src = () => randn([2, 4, 2], { generator: new Generator(2) });

  it('give the CPU results, the part of x the index does not cover kept', async () => {
    const host = { gathered: x().gather(1, index()), added: x().scatterAdd(1, index(), src()) };
    const gpu = withBackend('webgpu', () => ({
      gathered: x().gather(1, index()),
      added: x().scatterAdd(1, index(), src()),
    }));
    expect(isDeviceStorage(gpu.added.buffer) && isDeviceStorage(gpu.gathered.buffer)).toBe(true);
    expect(gpu.added.shape).toEqual([2, 5, 3]);
    expect([...(await gpu.gathered.dataAsync())]).toEqual([...host.gathered.data()]);
    // both add each element's sources in index order, in float32: equal bit for bit
    expect([...(await gpu.added.dataAsync())]).toEqual([...host.added.data()]);
  });
});
