let enabled = true;

/** True unless inside {@link noGrad}: whether ops record the graph for backward. */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * The callback type {@link noGrad} accepts: a synchronous function. A callback that returns a
 * Promise (an `async` function) gets this message as its required return type, so the call is a
 * compile error that says why.
 */
export type SyncCallback<T> = () => T extends PromiseLike<unknown>
  ? 'noGrad is synchronous: wrap each synchronous part of an async function in its own noGrad'
  : T;

/**
 * Runs `fn` without recording any graph (evaluation, optimizer updates, generation); restores the
 * previous mode afterwards, even when `fn` throws. `fn` must be synchronous: grad mode is one flag,
 * so the code of an `async` callback after its first `await` would run after noGrad returned, with
 * recording on again. Wrap each synchronous part instead (`const y = noGrad(() => f(x)); await …`).
 * @throws TypeError when `fn` returns a Promise or another thenable (the type rejects that too).
 * @example const logits = noGrad(() => model.forward(ids));
 */
export function noGrad<T>(fn: SyncCallback<T>): T {
  const previous = enabled;
  enabled = false;
  let result: T;
  try {
    result = (fn as () => T)();
  } finally {
    enabled = previous;
  }
  if (isThenable(result)) {
    throw new TypeError(
      'noGrad: the callback returned a Promise, but noGrad is synchronous: everything after the ' +
        "callback's first await would record gradients again. Call noGrad around each synchronous " +
        'part instead, e.g. `const logits = noGrad(() => model.forward(ids)); await …`.',
    );
  }
  return result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
