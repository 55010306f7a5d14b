/** `target` as edits of `source`, in the format `applyDelta` of `src/backend/wasm/delta.ts` reads. */
export function encodeDelta(source: Uint8Array, target: Uint8Array, minMatch?: number): Uint8Array;
