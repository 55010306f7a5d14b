/**
 * Resolves once the event loop has run the tasks queued before it: timers, I/O, and the callbacks
 * that return garbage-collected tensors' memory to the WASM backend (they never run while a loop
 * only awaits settled promises). `setImmediate` in Node, a `MessageChannel` message in browsers and
 * workers (no 4 ms clamp, unlike a nested `setTimeout`), else `setTimeout(0)`.
 */
export function nextTask(): Promise<void> {
  const g = globalThis as { setImmediate?: (callback: () => void) => unknown };
  if (typeof g.setImmediate === 'function') {
    const schedule = g.setImmediate;
    return new Promise((resolve) => schedule(resolve));
  }
  if (typeof MessageChannel === 'function')
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  return new Promise((resolve) => setTimeout(resolve, 0));
}
