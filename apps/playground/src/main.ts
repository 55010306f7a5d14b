/**
 * The playground page: controls, the live loss chart, sampling, the tokenizer view and the attention
 * view, all talking to one training worker. No framework: a handful of panels updated from the
 * worker's messages, with uPlot and canvases doing the drawing.
 */
import { BPETokenizer, deserializeTokenizer, ENCODINGS, type Tokenizer } from '@proj/tokenizers';
import type { TrainEvent } from '@proj/train';
import { CORPORA, countCharacters, fetchText } from './corpora.js';
import { checkpointDownloads, type PickedFile, readPickedCheckpoint } from './engine/checkpoint-files.js';
import type { ModelInfo } from './engine/session.js';
import {
  type ModelSize,
  settingsOf,
  settingsProblems,
  type TokenizerChoice,
  type TrainSettings,
} from './engine/settings.js';
import { renderAttention } from './ui/attention-view.js';
import { download, pickedFromDrop, pickedFromInput } from './ui/files.js';
import { formatCount, progressLine } from './ui/format.js';
import { LossChart } from './ui/loss-chart.js';
import { type Encoding, renderTokenRows } from './ui/tokenizer-view.js';
import { WorkerClient } from './worker-client.js';

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
const value = (id: string) => Number($(id).value);

const chart = new LossChart($<HTMLElement>('chart'));
const client = new WorkerClient(onEvent);
let running = false;
let paused = false;
let model: ModelInfo | null = null;
let corpusName = '';

/** The tokenizers of the tokenizer view, by row. */
const viewTokenizers: {
  char: Tokenizer | null;
  bpe: Tokenizer | null;
  gpt2: Tokenizer | null;
  model: Tokenizer | null;
} = {
  char: null,
  bpe: null,
  gpt2: null,
  model: null,
};

function showError(error: unknown): void {
  $('error').textContent = error ? (error instanceof Error ? error.message : String(error)) : '';
}

/** Runs a handler, showing what it throws (and clearing the last error first). */
function guarded(fn: () => unknown): () => Promise<void> {
  return async () => {
    showError(null);
    try {
      await fn();
    } catch (error) {
      showError(error);
    }
  };
}

function tokenizerChoice(): TokenizerChoice {
  const v = $<HTMLSelectElement>('tokenizer').value;
  return v === 'char' ? { kind: 'char' } : { kind: 'bpe', vocabSize: Number(v.split(':')[1]) };
}

function settings(): TrainSettings {
  return settingsOf({
    tokenizer: tokenizerChoice(),
    size: $<HTMLSelectElement>('size').value as ModelSize,
    maxIters: value('iters'),
    lr: value('lr'),
    batchSize: value('batch'),
  });
}

function updateButtons(): void {
  $('start').toggleAttribute('disabled', running);
  $('continue').toggleAttribute('disabled', running || !model);
  $('pause').toggleAttribute('disabled', !running);
  $('stop').toggleAttribute('disabled', !running);
  $('save').toggleAttribute('disabled', running || !model);
  $('sample').toggleAttribute('disabled', !model || (running && !paused));
  $('attention-show').toggleAttribute('disabled', !model || (running && !paused));
  $('pause').textContent = paused ? 'Resume' : 'Pause';
  document.body.dataset.state = running ? (paused ? 'paused' : 'training') : model ? 'ready' : 'empty';
}

function showModel(info: ModelInfo): void {
  model = info;
  const c = info.config;
  $('model-status').textContent =
    `Model ${info.origin}: ${c.nLayer} layers, ${c.nHead} heads, ${c.nEmbd} wide, context ${c.blockSize}, ` +
    `${formatCount(info.parameters)} parameters, ${info.tokenizer} tokenizer (vocab ${c.vocabSize}), ${info.iter} steps trained.`;
  $('model-status').dataset.iter = String(info.iter);
}

function onEvent(event: TrainEvent): void {
  if (event.type === 'step') {
    chart.add(event);
    $('progress').textContent = progressLine(event);
    $('progress').dataset.tokensPerSec = String(event.tokensPerSec);
  } else if (event.type === 'eval') {
    chart.add(event);
    $('progress').title =
      `last evaluation at step ${event.iter}: train ${event.trainLoss.toFixed(4)}, val ${event.valLoss.toFixed(4)}`;
  }
}

async function train(fresh: boolean): Promise<void> {
  const s = settings();
  const problems = settingsProblems(s);
  if (problems.length > 0) throw new Error(problems.join('; '));
  running = true;
  paused = false;
  updateButtons();
  if (fresh) chart.reset({ steps: [], evals: [] });
  $('progress').textContent = fresh ? 'Building the tokenizer and the model…' : 'Continuing…';
  try {
    const { result, info } = await client.request('train', { settings: s, fresh });
    showModel(info);
    $('progress').textContent =
      `${result.aborted ? 'Stopped' : 'Done'} after ${result.iters} steps: val loss ${result.finalValLoss.toFixed(4)}, ` +
      `${formatCount(result.tokensPerSec)} tokens/s on average.`;
    $('progress').dataset.done = String(result.iters);
    $('progress').dataset.meanTokensPerSec = String(result.tokensPerSec);
    await refreshModelTokenizer(false);
  } finally {
    running = false;
    paused = false;
    updateButtons();
  }
}

async function setCorpus(): Promise<void> {
  const choice = $<HTMLSelectElement>('corpus').value;
  const custom = choice === 'custom';
  $('custom-text').hidden = !custom;
  const text = custom
    ? $<HTMLTextAreaElement>('custom-text').value
    : await fetchText(CORPORA[choice as keyof typeof CORPORA].url);
  corpusName = custom ? 'your text' : choice;
  if (text.length === 0) {
    $('corpus-status').textContent = 'Paste or drop a text to train on.';
    return;
  }
  await client.request('corpus', { name: corpusName, text });
  const chars = countCharacters(text);
  $('corpus-status').textContent = `${corpusName}: ${formatCount(chars)} characters.`;
  $('corpus-status').dataset.chars = String(chars);
  viewTokenizers.char = deserializeTokenizer(await client.request('tokenizer', { kind: 'char' }));
  viewTokenizers.bpe = null;
  renderTokens();
  const bpe =
    tokenizerChoice().kind === 'bpe' ? tokenizerChoice() : ({ kind: 'bpe', vocabSize: 512 } as const);
  viewTokenizers.bpe = deserializeTokenizer(await client.request('tokenizer', bpe));
  renderTokens();
}

async function refreshModelTokenizer(loaded: boolean): Promise<void> {
  viewTokenizers.model = loaded ? deserializeTokenizer(await client.request('modelTokenizer', null)) : null;
  renderTokens();
}

let gpt2Requested = false;
function renderTokens(): void {
  if (!gpt2Requested) {
    gpt2Requested = true;
    void guarded(async () => {
      const ranks = await fetchText('ranks/r50k_base.tiktoken');
      viewTokenizers.gpt2 = BPETokenizer.fromTiktoken(ranks, ENCODINGS.gpt2);
      renderTokens();
    })();
  }
  const bpeSize =
    tokenizerChoice().kind === 'bpe' ? (tokenizerChoice() as { vocabSize: number }).vocabSize : 512;
  const rows: Encoding[] = [
    { label: `char (${corpusName})`, tokenizer: viewTokenizers.char, note: 'choose a corpus' },
    {
      label: `BPE ${bpeSize} (${corpusName})`,
      tokenizer: viewTokenizers.bpe,
      note: 'training a BPE on the corpus…',
    },
    { label: 'GPT-2', tokenizer: viewTokenizers.gpt2, note: 'loading GPT-2’s ranks…' },
  ];
  if (viewTokenizers.model)
    rows.unshift({ label: 'model (from checkpoint)', tokenizer: viewTokenizers.model });
  renderTokenRows($<HTMLElement>('token-rows'), $<HTMLTextAreaElement>('token-text').value, rows);
}

async function openCheckpoint(files: PickedFile[]): Promise<void> {
  if (running) throw new Error('stop the training run before you load a checkpoint');
  const info = await client.request('load', await readPickedCheckpoint(files));
  showModel(info);
  chart.reset(info.history);
  $('progress').textContent = `Loaded a checkpoint at step ${info.iter}.`;
  await refreshModelTokenizer(true);
  updateButtons();
}

async function sample(): Promise<void> {
  const out = $<HTMLElement>('sample-out');
  const prompt = $<HTMLTextAreaElement>('prompt').value.replaceAll('\\n', '\n');
  const promptSpan = Object.assign(document.createElement('b'), { textContent: prompt });
  const completion = document.createElement('span');
  out.replaceChildren(promptSpan, completion);
  out.dataset.tokens = '0';
  $('sample').toggleAttribute('disabled', true);
  const topP = value('top-p');
  try {
    const text = await client.request(
      'sample',
      {
        prompt,
        maxNewTokens: value('max-new'),
        temperature: value('temperature'),
        topK: value('top-k'),
        topP: topP > 0 && topP < 1 ? topP : undefined,
        seed: value('seed'),
      },
      (soFar) => {
        completion.textContent = soFar;
        out.dataset.tokens = String(Number(out.dataset.tokens) + 1);
      },
    );
    out.dataset.text = text;
  } finally {
    updateButtons();
  }
}

async function showAttention(): Promise<void> {
  const maps = await client.request('attention', { text: $('attention-text').value });
  renderAttention($<HTMLElement>('attention-grid'), $<HTMLElement>('attention-focus'), maps);
}

async function save(): Promise<void> {
  const files = checkpointDownloads(await client.request('export', null));
  for (const f of files) download(f.name, f.bytes);
  $('model-status').dataset.saved = 'yes';
}

async function initThreads(): Promise<void> {
  const b = await client.request('init', { threads: value('threads') });
  $('backend').textContent =
    `${b.backend} backend, ${b.threads} thread${b.threads === 1 ? '' : 's'}` +
    (b.threadsUnavailable ? ` (threads unavailable: ${b.threadsUnavailable})` : '');
  $('backend').dataset.threads = String(b.threads);
}

$('threads').value = String(Math.min(navigator.hardwareConcurrency || 1, 4));
$('start').onclick = guarded(() => train(true));
$('continue').onclick = guarded(() => train(false));
$('pause').onclick = guarded(async () => {
  paused = !paused;
  updateButtons();
  await client.request(paused ? 'pause' : 'resume', null);
});
$('stop').onclick = guarded(() => client.request('stop', null));
$('save').onclick = guarded(save);
$('sample').onclick = guarded(sample);
$('attention-show').onclick = guarded(showAttention);
$('open-folder').onchange = guarded(() => openCheckpoint(pickedFromInput($('open-folder').files!)));
$('open-files').onchange = guarded(() => openCheckpoint(pickedFromInput($('open-files').files!)));
$('corpus').onchange = guarded(setCorpus);
$('tokenizer').onchange = guarded(setCorpus);
$('threads').onchange = guarded(initThreads);
$('custom-text').onchange = guarded(setCorpus);
$('token-text').oninput = () => renderTokens();
document.body.ondragover = (e) => e.preventDefault();
document.body.ondrop = (e) => {
  e.preventDefault();
  void guarded(async () => {
    const files = await pickedFromDrop(e.dataTransfer!);
    const isText = files.length === 1 && !files[0]!.path.endsWith('.json');
    if (!isText) return openCheckpoint(files);
    $<HTMLSelectElement>('corpus').value = 'custom';
    $<HTMLTextAreaElement>('custom-text').value = new TextDecoder().decode(await files[0]!.bytes());
    await setCorpus();
  })();
};

updateButtons();
void guarded(async () => {
  await initThreads();
  await setCorpus();
})();
