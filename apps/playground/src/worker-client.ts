import type { TrainEvent } from '@proj/train';
import type { RequestMessage, Requests, RequestType, WorkerMessage } from './engine/protocol.js';

/** The page's side of the training worker: typed requests that resolve with the worker's answers. */
export class WorkerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly textListeners = new Map<number, (completion: string) => void>();

  /** @param onEvent - receives every event of a training run as the worker posts it. */
  constructor(onEvent: (event: TrainEvent) => void) {
    this.worker = new Worker(new URL('./engine/training-worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.type === 'event') onEvent(m.event);
      else if (m.type === 'text') this.textListeners.get(m.id)?.(m.completion);
      else {
        const waiting = this.pending.get(m.id);
        this.pending.delete(m.id);
        this.textListeners.delete(m.id);
        if (m.ok) waiting?.resolve(m.value);
        else waiting?.reject(new Error(m.error));
      }
    };
  }

  /** Sends a request; `onText` receives a sample's completion after every token. */
  request<K extends RequestType>(
    type: K,
    args: Requests[K]['args'],
    onText?: (completion: string) => void,
  ): Promise<Requests[K]['result']> {
    const id = this.nextId++;
    if (onText) this.textListeners.set(id, onText);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, type, args } as RequestMessage);
    });
  }
}
