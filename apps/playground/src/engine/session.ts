import { noGrad } from '@proj/autograd';
import { GPT, GPT_DEFAULTS, type GPTConfig } from '@proj/nn';
import { Generator, type Tensor, tensor } from '@proj/tensor';
import {
  BPETokenizer,
  CharTokenizer,
  deserializeTokenizer,
  serializeTokenizer,
  type Tokenizer,
} from '@proj/tokenizers';
import {
  AdamW,
  CheckpointError,
  cosineWithWarmup,
  createCheckpoint,
  decayParamGroups,
  parseCheckpointState,
  pretrainEvents,
  restoreCheckpoint,
  serializeCheckpointState,
  TokenDataset,
  type TrainEvent,
  type TrainProgress,
  type TrainResult,
  verifyCheckpoint,
} from '@proj/train';
import type { CheckpointBytes } from './checkpoint-files.js';
import { gptConfigOf, type TokenizerChoice, type TrainSettings, tokenizerLabel } from './settings.js';
import { streamGenerate } from './stream-generate.js';

/** Where a run stands, as a later run resumes it. */
type Progress = Pick<TrainProgress, 'iter' | 'bestValLoss' | 'history' | 'nextBatch'>;

/** A text to train on. */
export interface Corpus {
  name: string;
  text: string;
}

/** What the page shows about the model it holds. */
export interface ModelInfo {
  config: GPTConfig;
  parameters: number;
  tokenizer: string;
  /** Steps trained so far. */
  iter: number;
  history: TrainProgress['history'];
  /** Where the model came from: `trained on <corpus>` or `loaded from <folder>`. */
  origin: string;
}

/** Sampling options, `proj sample`'s names and defaults. */
export interface SampleRequest {
  prompt: string;
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP?: number;
  seed: number;
}

/** Attention probabilities of every layer over a prompt. */
export interface AttentionMaps {
  /** The prompt's tokens (the last `blockSize` of them), decoded one by one. */
  tokens: string[];
  nHead: number;
  /** One `[nHead, T, T]` array per layer (row = query, column = key). */
  layers: Float32Array[];
}

const WEIGHT_DECAY = 0.1;
const BETAS: [number, number] = [0.9, 0.99];
const GPT_DEFAULT_LR = 1e-3;

/**
 * The playground's model and training state, free of the DOM and of workers so that it runs (and is
 * tested) in Node as well: a corpus, the GPT, its tokenizer and optimizer, and the progress of its run.
 * The worker holds one and drives it from messages.
 */
export class PlaygroundSession {
  private corpus: Corpus | null = null;
  private readonly tokenizers = new Map<string, Tokenizer>();
  private model: GPT | null = null;
  private tokenizer: Tokenizer | null = null;
  private optimizer: AdamW | null = null;
  private generator: Generator | null = null;
  private progress: Progress | null = null;
  /** The `TrainProgress` of the last checkpoint the loop asked for: what an export holds. */
  private saved: TrainProgress | null = null;
  /** The config the next export writes (`config.model`, `config.train`, `config.data`). */
  private savedConfig: Record<string, unknown> = {};
  private origin = '';

  /** Replaces the corpus (the model, if any, stays). @throws Error for an empty text. */
  setCorpus(corpus: Corpus): void {
    if (corpus.text.length === 0) throw new Error(`the corpus ${corpus.name} is empty`);
    this.corpus = corpus;
    this.tokenizers.clear();
  }

  /** The corpus's tokenizer for a choice, built once: its characters, or a BPE trained on it. */
  tokenizerFor(choice: TokenizerChoice): Tokenizer {
    const corpus = this.requireCorpus();
    const key = tokenizerLabel(choice);
    let tokenizer = this.tokenizers.get(key);
    if (!tokenizer) {
      tokenizer =
        choice.kind === 'char'
          ? CharTokenizer.fromCorpus(corpus.text)
          : BPETokenizer.train(corpus.text, { vocabSize: choice.vocabSize });
      this.tokenizers.set(key, tokenizer);
    }
    return tokenizer;
  }

  /** The model's tokenizer, serialized (null without a model). */
  modelTokenizer(): unknown {
    return this.tokenizer && serializeTokenizer(this.tokenizer);
  }

  /** What the page shows about the model, or null before one is trained or loaded. */
  info(): ModelInfo | null {
    if (!this.model || !this.tokenizer) return null;
    return {
      config: { ...this.model.config },
      parameters: this.model.numParameters(),
      tokenizer: this.tokenizer instanceof CharTokenizer ? 'char' : `bpe:${this.tokenizer.vocabSize}`,
      iter: this.progress?.iter ?? 0,
      history: this.progress?.history ?? { steps: [], evals: [] },
      origin: this.origin,
    };
  }

  /**
   * A training run as `proj train` runs it (AdamW, warmup + cosine to lr/10, gradient clipping at 1,
   * PyTorch's generator), as an event stream. `fresh` builds a new tokenizer and GPT from the settings;
   * otherwise the model held (trained or loaded) goes on from its step to `settings.maxIters` with its
   * own tokenizer, optimizer state and batch generator. Stop it with `signal`; pause by not pulling.
   * @throws Error without a corpus or (not fresh) without a model, or when the corpus cannot be encoded.
   */
  train(settings: TrainSettings, fresh: boolean, signal: { readonly aborted: boolean }) {
    const corpus = this.requireCorpus();
    if (fresh) {
      this.tokenizer = this.tokenizerFor(settings.tokenizer);
      this.generator = new Generator(settings.seed, { algorithm: 'torch' });
      this.model = new GPT(gptConfigOf(settings.model, this.tokenizer.vocabSize), {
        generator: this.generator,
      });
      this.optimizer = optimizerOf(this.model, settings.lr);
      this.progress = null;
      this.origin = `trained on ${corpus.name}`;
    }
    const { model, tokenizer, optimizer, generator } = this.requireModel();
    if (this.progress && this.progress.iter >= settings.maxIters)
      throw new Error(`the model has trained ${this.progress.iter} steps already: ask for more than that`);
    const ids = encodeCorpus(tokenizer, corpus);
    const { blockSize } = model.config;
    const { train, val } = new TokenDataset(ids).split(0.9);
    if (val.length <= blockSize)
      throw new Error(
        `the corpus ${corpus.name} is too short: its validation tenth has ${val.length} tokens, a window needs ${blockSize + 1}`,
      );
    const config = {
      model: { ...model.config },
      train: { ...settings, tokenizer: tokenizerLabel(settings.tokenizer), source: 'playground' },
      data: { name: corpus.name, tokens: ids.length },
    };
    return this.follow(
      pretrainEvents({
        model,
        optimizer,
        train,
        val,
        batchSize: settings.batchSize,
        blockSize,
        maxIters: settings.maxIters,
        gradClip: 1,
        schedule: cosineWithWarmup({
          lr: settings.lr,
          minLr: settings.lr / 10,
          warmupIters: settings.warmupIters,
          lrDecayIters: settings.maxIters,
        }),
        evalInterval: settings.evalInterval,
        evalIters: settings.evalIters,
        evalBatches: 'random',
        generator,
        signal,
        resume: this.progress ? resumeWith(this.progress, settings.batchSize) : undefined,
        checkpoint: (progress) => {
          this.saved = { ...progress, history: structuredClone(progress.history) };
          this.savedConfig = config;
        },
      }),
    );
  }

  /** Passes the loop's events on, keeping the progress a later run continues from. */
  private async *follow(
    events: AsyncGenerator<TrainEvent, TrainResult, undefined>,
  ): AsyncGenerator<TrainEvent, TrainResult, undefined> {
    const result = yield* events;
    if (this.saved) this.progress = this.saved;
    return result;
  }

  /**
   * Samples from the model, `proj sample`'s way (the same seed gives the same text), calling
   * `onText` with the completion so far after every token.
   * @returns the prompt and its completion.
   * @throws Error without a model, or for a prompt the tokenizer cannot encode.
   */
  sample(request: SampleRequest, onText: (completion: string) => void): string {
    const { model, tokenizer } = this.requireModel();
    let prompt = encodeText(tokenizer, request.prompt, 'the prompt');
    if (prompt.length === 0) prompt = [0];
    const generated: number[] = [];
    const ids = inEvalMode(model, () =>
      streamGenerate(
        model,
        prompt,
        {
          maxNewTokens: request.maxNewTokens,
          temperature: request.temperature,
          topK: Math.min(request.topK, model.config.vocabSize),
          topP: request.topP,
          generator: new Generator(request.seed),
        },
        (id) => {
          generated.push(id);
          onText(tokenizer.decode(generated));
        },
      ),
    );
    return tokenizer.decode(ids);
  }

  /**
   * Every layer's and head's attention over `text` (its last `blockSize` tokens), in eval mode.
   * @throws Error without a model, or for text the tokenizer cannot encode.
   */
  attention(text: string): AttentionMaps {
    const { model, tokenizer } = this.requireModel();
    const ids = encodeText(tokenizer, text, 'the text').slice(-model.config.blockSize);
    if (ids.length === 0) throw new Error('the text is empty');
    const layers: Float32Array[] = [];
    inEvalMode(model, () =>
      noGrad(() =>
        model.forward(tensor([ids], { dtype: 'int32' }), null, {
          onAttentionWeights: (_, weights: Tensor) => layers.push(Float32Array.from(weights.data())),
        }),
      ),
    );
    return { tokens: ids.map((id) => tokenizer.decode([id])), nHead: model.config.nHead, layers };
  }

  /**
   * The checkpoint of the last finished or stopped run (or of the loaded one), as `proj train` writes
   * it: weights, optimizer state, and `state.json` with the config and tokenizer.
   * @throws Error when there is nothing to save; CheckpointError for non-finite weights.
   */
  exportCheckpoint(): Omit<CheckpointBytes, 'folder'> {
    const { model, tokenizer, optimizer } = this.requireModel();
    if (!this.saved) throw new Error('nothing to save yet: train the model (or stop the run) first');
    const ckpt = createCheckpoint({
      model,
      optimizer,
      progress: this.saved,
      config: this.savedConfig,
      tokenizer: serializeTokenizer(tokenizer),
    });
    return { model: ckpt.model, optimizer: ckpt.optimizer, state: serializeCheckpointState(ckpt.state) };
  }

  /**
   * Loads a checkpoint written by `proj train` (or by {@link exportCheckpoint}): checks it as the CLI
   * does, builds its GPT and tokenizer, and restores weights, optimizer and batch generator, so that
   * training can go on.
   * @throws CheckpointError naming the file and what is wrong.
   */
  loadCheckpoint(files: CheckpointBytes): ModelInfo {
    const where = (name: string) => (files.folder === '' ? name : `${files.folder}/${name}`);
    const state = parseCheckpointState(files.state, where('state.json'));
    const ckpt = { model: files.model, optimizer: files.optimizer, state, dir: files.folder || undefined };
    verifyCheckpoint(ckpt);
    const saved = state.config.model as Partial<GPTConfig> | undefined;
    if (saved === undefined)
      throw new CheckpointError(
        `${where('state.json')} has no model config ("config.model"): not a run of proj train`,
      );
    let tokenizer: Tokenizer;
    try {
      tokenizer = deserializeTokenizer(state.tokenizer);
    } catch (error) {
      throw new CheckpointError(`${where('state.json')}: ${(error as Error).message}`);
    }
    const config = { ...GPT_DEFAULTS, ...saved };
    if (tokenizer.vocabSize > config.vocabSize)
      throw new CheckpointError(
        `${where('state.json')}: the tokenizer has ${tokenizer.vocabSize} tokens, more than the model's vocabSize ${config.vocabSize}`,
      );
    const generator = new Generator(0, { algorithm: 'torch' });
    const model = new GPT(config, { generator });
    const optimizer = optimizerOf(model, GPT_DEFAULT_LR); // the next run's schedule sets the rate
    const progress = restoreCheckpoint(ckpt, { model, optimizer, generators: { data: generator } });
    Object.assign(this, { model, tokenizer, optimizer, generator, progress, savedConfig: state.config });
    this.saved = { ...progress, generator: generator.getState() };
    this.origin = `loaded from ${files.folder || 'the picked files'}`;
    return this.info()!;
  }

  private requireCorpus(): Corpus {
    if (!this.corpus) throw new Error('choose a corpus first');
    return this.corpus;
  }

  private requireModel() {
    const { model, tokenizer, optimizer, generator } = this;
    if (!model || !tokenizer || !optimizer || !generator)
      throw new Error('no model yet: train one or load a checkpoint');
    return { model, tokenizer, optimizer, generator };
  }
}

/**
 * A run's progress to resume from: the batch it drew for its next step is kept when the batch size
 * is the same (so the run goes on exactly as if never stopped), and drawn anew otherwise.
 */
function resumeWith(progress: Progress, batchSize: number): Progress {
  return progress.nextBatch?.length === batchSize ? progress : { ...progress, nextBatch: null };
}

/** Runs `fn` with dropout off, then puts the model back in the mode it was in (a paused run trains on). */
function inEvalMode<T>(model: GPT, fn: () => T): T {
  const training = model.training;
  model.eval();
  try {
    return fn();
  } finally {
    if (training) model.train();
  }
}

/** AdamW over the model, decaying matrices only (nanoGPT's `configure_optimizers`, as `proj train`). */
function optimizerOf(model: GPT, lr: number): AdamW {
  return new AdamW(decayParamGroups(model.namedParameters(), WEIGHT_DECAY), { lr, betas: BETAS });
}

function encodeText(tokenizer: Tokenizer, text: string, what: string): number[] {
  try {
    return tokenizer.encode(text);
  } catch (error) {
    throw new Error(`the model's tokenizer cannot encode ${what}: ${(error as Error).message}`);
  }
}

function encodeCorpus(tokenizer: Tokenizer, corpus: Corpus): Uint16Array | Int32Array {
  const ids = encodeText(tokenizer, corpus.text, `the corpus ${corpus.name}`);
  return tokenizer.vocabSize <= 65536 ? Uint16Array.from(ids) : Int32Array.from(ids);
}
