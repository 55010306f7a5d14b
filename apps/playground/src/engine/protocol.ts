import type { TrainEvent, TrainResult } from '@proj/train';
import type { CheckpointBytes } from './checkpoint-files.js';
import type { AttentionMaps, Corpus, ModelInfo, SampleRequest } from './session.js';
import type { TokenizerChoice, TrainSettings } from './settings.js';

/** What the page asks of the training worker, and what each request answers with. */
export interface Requests {
  /** Starts the WASM threads (`enableThreads(threads)`); answers what runs. */
  init: { args: { threads: number }; result: BackendInfo };
  corpus: { args: Corpus; result: null };
  /** A whole run; its events arrive as `event` messages meanwhile. */
  train: {
    args: { settings: TrainSettings; fresh: boolean };
    result: { result: TrainResult; info: ModelInfo };
  };
  pause: { args: null; result: null };
  resume: { args: null; result: null };
  stop: { args: null; result: null };
  /** The completion so far arrives as `text` messages after every token. */
  sample: { args: SampleRequest; result: string };
  attention: { args: { text: string }; result: AttentionMaps };
  /** A tokenizer of the corpus (built once), serialized for the page's tokenizer view. */
  tokenizer: { args: TokenizerChoice; result: unknown };
  /** The model's tokenizer, serialized (null without a model). */
  modelTokenizer: { args: null; result: unknown };
  export: { args: null; result: Omit<CheckpointBytes, 'folder'> };
  load: { args: CheckpointBytes; result: ModelInfo };
}

/** A request's name. */
export type RequestType = keyof Requests;

/** A request as posted to the worker. */
export type RequestMessage = {
  [K in RequestType]: { id: number; type: K; args: Requests[K]['args'] };
}[RequestType];

/** What the WASM backend runs with in the worker. */
export interface BackendInfo {
  backend: string;
  threads: number;
  crossOriginIsolated: boolean;
  /** Why threads could not start, or null. */
  threadsUnavailable: string | null;
}

/** What the worker posts back. */
export type WorkerMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'event'; event: TrainEvent }
  | { type: 'text'; id: number; completion: string };
