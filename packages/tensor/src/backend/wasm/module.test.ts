import { describe, expect, it } from 'vitest';
import { RELAXED_WASM_SHA256 } from './kernels.generated.js';
import { RELAXED_PROBE, relaxedKernels, relaxedSimdSupported } from './module.js';

describe('relaxedKernels', () => {
  it('rebuilds the relaxed-SIMD binary the generator assembled, byte for byte', async () => {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', relaxedKernels()));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    expect(hex).toBe(RELAXED_WASM_SHA256);
  });
});

describe('relaxedSimdSupported', () => {
  it('agrees with validating the relaxed-SIMD kernels themselves', () => {
    expect(relaxedSimdSupported()).toBe(WebAssembly.validate(relaxedKernels()));
  });

  it('probes with a well-formed module that only relaxed SIMD can reject', () => {
    const control = RELAXED_PROBE.slice(); // v128.bitselect and a nop for the relaxed opcode: plain SIMD
    control.set([0xfd, 0x52, 0x01], RELAXED_PROBE.length - 4);
    expect(WebAssembly.validate(control)).toBe(true);
  });
});
