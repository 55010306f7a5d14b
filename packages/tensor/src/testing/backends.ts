import { getBackend, listBackends, setBackend } from '../backend/registry.js';

/** Names of every registered backend, the JS reference first: run op tests once per backend. */
export function backendNames(): string[] {
  return ['js', ...listBackends().filter((name) => name !== 'js')];
}

/** Runs `fn` with backend `name` active, then restores the backend that was active before. */
export function withBackend<T>(name: string, fn: () => T): T {
  const previous = getBackend().name;
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(previous);
  }
}
