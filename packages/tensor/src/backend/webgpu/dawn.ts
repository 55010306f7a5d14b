/**
 * The WebGPU entry point of Dawn through the optional `webgpu` package, to pass as
 * `createWebGPUBackend({ gpu })`; null when the package is not installed. Dawn then finds the
 * machine's GPU through Vulkan, Metal or D3D12 (on a CPU-only Linux machine, Mesa's lavapipe).
 * Exported from `@proj/tensor/node`; it imports no `node:` module, so test support may use it too.
 * @example
 * const gpu = await requestNodeGPU();
 * if (gpu) registerBackend(await createWebGPUBackend({ gpu }));
 */
export async function requestNodeGPU(): Promise<unknown | null> {
  const specifier = 'webgpu';
  let dawn: { create(flags: string[]): unknown; globals: Record<string, unknown> };
  try {
    dawn = await import(/* @vite-ignore */ specifier);
  } catch {
    return null;
  }
  // Dawn's shaders and buffers use WebGPU's global enums (GPUBufferUsage, GPUMapMode, …).
  for (const [name, value] of Object.entries(dawn.globals))
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true });
  return dawn.create([]);
}
