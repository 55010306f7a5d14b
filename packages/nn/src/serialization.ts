import { loadSafetensors, saveSafetensors } from '@proj/tensor';
import type { LoadStateDictOptions, Module } from './module.js';

/** A module's state dict as safetensors bytes (optionally with string metadata in the header). */
export function saveModule(module: Module, metadata?: Record<string, string>): Uint8Array {
  return saveSafetensors(module.stateDict(), metadata);
}

/**
 * Loads safetensors bytes into a module's parameters by name.
 * @throws StateDictError for missing, unexpected (when strict) or misshaped keys; SafetensorsError for bad bytes.
 */
export function loadModule(module: Module, bytes: Uint8Array, options: LoadStateDictOptions = {}) {
  return module.loadStateDict(loadSafetensors(bytes), options);
}
