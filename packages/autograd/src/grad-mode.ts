let enabled = true;

/** True unless inside {@link noGrad}: whether ops record the graph for backward. */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording any graph (evaluation, optimizer updates, generation); restores the
 * previous mode afterwards, even when `fn` throws.
 * @example const logits = noGrad(() => model.forward(ids));
 */
export function noGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
