import type { Module } from '@proj/nn';
import { isDeviceStorage, listBackends, setBackend, type Tensor } from '@proj/tensor';

/** Makes the fastest CPU backend the active one (WebAssembly SIMD where available, else plain JS). */
export function useHostBackend(): void {
  setBackend(listBackends().includes('wasm') ? 'wasm' : 'js');
}

/**
 * `model` in host memory, for what reads its weights on the CPU (sampling reads logits at every
 * token; adapter files are written from typed arrays): itself when trained on the CPU; trained on a
 * GPU, a copy that `build` makes on the CPU backend, made active from now on, given its weights.
 */
export async function onHost<M extends Module>(model: M, build: () => M): Promise<M> {
  const weights = model.stateDict();
  if (!Object.values(weights).some((t) => isDeviceStorage(t.buffer))) return model;
  const host: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(weights)) host[name] = await t.toHost();
  useHostBackend();
  const copy = build();
  copy.loadStateDict(host);
  return copy;
}
