import { describe, expect, it } from 'vitest';
import { RELAXED_WASM_SHA256 } from './kernels.generated.js';
import { relaxedKernels } from './module.js';

describe('relaxedKernels', () => {
  it('rebuilds the relaxed-SIMD binary the generator assembled, byte for byte', async () => {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', relaxedKernels()));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    expect(hex).toBe(RELAXED_WASM_SHA256);
  });
});
