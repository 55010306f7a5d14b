/// <reference lib="webworker" />
/**
 * The training worker: holds a {@link PlaygroundSession} and runs the page's requests on it, on the
 * WASM backend with its threads. A run yields to the message queue after every event, so pause,
 * resume and stop arrive between steps while the loop runs.
 */
import { backendName, enableThreads, getNumThreads, setNumThreads, wasmStats } from '@proj/tensor';
import { serializeTokenizer } from '@proj/tokenizers';
import type { RequestMessage, Requests, RequestType, WorkerMessage } from './protocol.js';
import { PlaygroundSession } from './session.js';

declare const self: DedicatedWorkerGlobalScope;

const session = new PlaygroundSession();
/** The run in progress: its stop signal and pause state. */
let run: { signal: { aborted: boolean }; paused: boolean; wake: () => void } | null = null;

const post = (message: WorkerMessage, transfer: Transferable[] = []) => self.postMessage(message, transfer);

/** Resolves after the messages already queued have been handled (no timer clamping, unlike setTimeout). */
const channel = new MessageChannel();
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

function idle(what: string): void {
  if (run) throw new Error(`stop the training run before you ${what}`);
}

type Handlers = { [K in RequestType]: (args: Requests[K]['args'], id: number) => unknown };

const handlers: Handlers = {
  init: async ({ threads }) => {
    if (threads === 1) setNumThreads(1);
    const running = threads > 1 ? await enableThreads(threads) : 1;
    return {
      backend: backendName(),
      threads: Math.min(running, getNumThreads()),
      crossOriginIsolated: self.crossOriginIsolated,
      threadsUnavailable: wasmStats()?.threadsUnavailable ?? null,
    };
  },
  corpus: (corpus) => {
    idle('change the corpus');
    session.setCorpus(corpus);
    return null;
  },
  train: async ({ settings, fresh }) => {
    idle('start another');
    const signal = { aborted: false };
    const events = session.train(settings, fresh, signal);
    run = { signal, paused: false, wake: () => {} };
    try {
      for (;;) {
        const next = await events.next();
        if (next.done) return { result: next.value, info: session.info()! };
        post({ type: 'event', event: next.value });
        await nextTask();
        while (run.paused && !signal.aborted) await new Promise<void>((resolve) => (run!.wake = resolve));
      }
    } finally {
      run = null;
    }
  },
  pause: () => {
    if (run) run.paused = true;
    return null;
  },
  resume: () => {
    if (run) {
      run.paused = false;
      run.wake();
    }
    return null;
  },
  stop: () => {
    if (run) {
      run.signal.aborted = true;
      run.wake();
    }
    return null;
  },
  sample: (request, id) => session.sample(request, (completion) => post({ type: 'text', id, completion })),
  attention: ({ text }) => session.attention(text),
  tokenizer: (choice) => serializeTokenizer(session.tokenizerFor(choice)),
  modelTokenizer: () => session.modelTokenizer(),
  export: () => {
    idle('save');
    return session.exportCheckpoint();
  },
  load: (files) => {
    idle('load a checkpoint');
    return session.loadCheckpoint(files);
  },
};

self.onmessage = async (e: MessageEvent<RequestMessage>) => {
  const { id, type, args } = e.data;
  try {
    const value = await (handlers[type] as (a: unknown, id: number) => unknown)(args, id);
    const transfer =
      type === 'attention' ? (value as { layers: Float32Array[] }).layers.map((l) => l.buffer) : [];
    post({ type: 'reply', id, ok: true, value }, transfer as Transferable[]);
  } catch (error) {
    post({ type: 'reply', id, ok: false, error: (error as Error).message });
  }
};
