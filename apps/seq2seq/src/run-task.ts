import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@proj/tensor';
import type { EncodedPair } from './batches.js';
import { decodeAll } from './decode.js';
import { trainGptSystem } from './gpt-sft.js';
import { saveModel } from './model-files.js';
import {
  buildModel,
  MODEL_LABELS,
  type ModelKind,
  matchedSpecs,
  type Seq2SeqSpec,
  transformerParameters,
} from './models.js';
import { writeReport } from './report.js';
import { encodeSource } from './source-input.js';
import type { Example, Metrics, TaskData } from './tasks/task.js';
import { outputLimit } from './tasks/task.js';
import { type CurvePoint, type TrainOptions, trainModel } from './train.js';

/** Options of {@link runTask}: model sizes and optimisation, the same for every model. */
export interface RunOptions extends Omit<TrainOptions, 'generator' | 'onProgress'> {
  out: string;
  models: ModelKind[];
  dModel: number;
  layers: number;
  nHead: number;
  dropout: number;
  beam: number;
  decodeBatch: number;
  seed: number;
  threads: number;
  /** Progress lines. */
  log: (line: string) => void;
}

/** Scores of one decoding method on one test set. */
export interface DecodeScores {
  metrics: Metrics;
  seconds: number;
  /** Test examples decoded per second. */
  wordsPerSecond: number;
  /** Per length: `[length, correct fraction, count]`. */
  byLength?: [number, number, number][];
}

/** Everything measured for one model. */
export interface ModelResult {
  kind: ModelKind;
  label: string;
  parameters: number;
  config: object;
  train: {
    steps: number;
    seconds: number;
    tokensPerSecond: number;
    examplesPerSecond: number;
    curve: CurvePoint[];
  };
  /** Test set name → greedy and beam scores (the GPT is decoded greedily only). */
  tests: Record<string, { greedy: DecodeScores; beam?: DecodeScores }>;
  /** A few test outputs (beam; greedy for the GPT), for the report. */
  samples: { source: string; reference: string; output: string }[];
}

/** The results file of a run. */
export interface RunResults {
  task: string;
  title: string;
  notes: string[];
  options: Omit<RunOptions, 'log' | 'out'>;
  machine: {
    cpus: number;
    model: string;
    node: string;
    loadAverageStart: number[];
    loadAverageEnd: number[];
  };
  data: { train: number; valid: number; tests: Record<string, number>; skipped: number };
  headline: TaskData['headline'];
  models: ModelResult[];
  baselines: { name: string; tests: Record<string, Metrics> }[];
  wallSeconds: number;
}

/**
 * Trains and evaluates each model of `options.models` on `task`, saves them under
 * `<out>/<kind>/`, and writes `results.json`, `results.md` and the svg charts into `out`.
 */
export async function runTask(task: TaskData, options: RunOptions): Promise<RunResults> {
  const started = performance.now();
  const loadAverageStart = loadavg();
  const { log } = options;
  const ids = { padId: task.target.padId, bosId: task.target.bosId, eosId: task.target.eosId };
  if (task.source.padId !== ids.padId)
    throw new Error(`${task.name}: source and target codecs must share the padding id`);
  let skipped = 0;
  const encodePairs = (examples: readonly Example[]): EncodedPair[] =>
    examples.flatMap((e) => {
      const src = encodeSource(task, task.source, e.source, 'cut');
      if (!src) {
        skipped++;
        return [];
      }
      const tgt = task.target.encode(e.references[0]!).slice(0, outputLimit(task.maxOutput, src.length) - 1);
      return [{ src, tgt }];
    });
  const train = encodePairs(task.train);
  const valid = encodePairs(task.valid);
  const longestTarget = Math.max(...[...train, ...valid].map((p) => p.tgt.length + 1));
  const sizes = {
    srcVocabSize: task.source.vocabSize,
    tgtVocabSize: task.target.vocabSize,
    padId: ids.padId,
    dModel: options.dModel,
    layers: options.layers,
    nHead: options.nHead,
    dropout: options.dropout,
    maxLength:
      Math.max(task.maxSourceLength, longestTarget, outputLimit(task.maxOutput, task.maxSourceLength)) + 2,
  };
  log(`${task.title}: ${train.length} training pairs, ${valid.length} validation pairs`);
  await mkdir(options.out, { recursive: true });
  const models: ModelResult[] = [];
  const seq2seqKinds = options.models.filter((k): k is Seq2SeqSpec['kind'] => k !== 'gpt');
  const specs = new Map(matchedSpecs(seq2seqKinds, sizes).map((spec) => [spec.kind, spec]));
  for (const kind of options.models) {
    if (kind === 'gpt') {
      const { model, result } = await trainGptSystem(task, options, transformerParameters(sizes));
      await saveModel(join(options.out, kind), model, { kind, config: model.config }, task);
      models.push(result);
      continue;
    }
    const spec = specs.get(kind)!;
    const model = buildModel(spec, new Generator(options.seed));
    const label = MODEL_LABELS[spec.kind];
    log(`${label}: ${model.numParameters().toLocaleString('en-US')} parameters, ${options.steps} steps`);
    const trained = trainModel(model, train, valid, ids, {
      ...options,
      generator: new Generator(options.seed + 1),
      onProgress: (p) => {
        if (p.validLoss !== undefined)
          log(
            `  step ${p.step}: train loss ${p.loss.toFixed(4)}, valid loss ${p.validLoss.toFixed(4)}, ${p.seconds.toFixed(1)} s`,
          );
      },
    });
    const tests: ModelResult['tests'] = {};
    let samples: ModelResult['samples'] = [];
    for (const test of task.tests) {
      const sources = test.examples.map((e) => encodeSource(task, task.source, e.source, 'throw')!);
      const decodeWith = (beamSize: number): DecodeScores & { outputs: string[] } => {
        const { outputs, seconds } = decodeAll(model, sources, ids, {
          beamSize,
          batchSize:
            beamSize > 1 ? Math.max(1, Math.floor(options.decodeBatch / beamSize)) : options.decodeBatch,
          maxOutput: (n) => outputLimit(task.maxOutput, n),
        });
        const texts = outputs.map((o) => task.target.decode(o));
        return {
          outputs: texts,
          metrics: task.score(test.examples, texts),
          seconds,
          wordsPerSecond: test.examples.length / seconds,
          byLength: task.lengthOf && accuracyByLength(task, test.examples, texts),
        };
      };
      const { outputs: _greedyOutputs, ...greedy } = decodeWith(1);
      const { outputs, ...beam } = decodeWith(options.beam);
      tests[test.name] = { greedy, beam };
      if (samples.length === 0)
        samples = test.examples
          .slice(0, 8)
          .map((e, i) => ({ source: e.source, reference: e.references[0]!, output: outputs[i]! }));
      const show = (s: DecodeScores) =>
        Object.entries(s.metrics)
          .map(([k, v]) => `${k} ${(100 * v).toFixed(2)}%`)
          .join(', ');
      log(`  ${test.name}: greedy ${show(greedy)}; beam ${options.beam} ${show(beam)}`);
    }
    await saveModel(join(options.out, spec.kind), model, spec, task);
    models.push({
      kind: spec.kind,
      label,
      parameters: model.numParameters(),
      config: spec.config,
      train: trained,
      tests,
      samples,
    });
  }
  const baselines = Object.entries(task.baselines ?? {}).map(([name, system]) => ({
    name,
    tests: Object.fromEntries(
      task.tests.map((t) => [t.name, task.score(t.examples, t.examples.map(system))]),
    ),
  }));
  const { log: _log, out: _out, ...rest } = options;
  const results: RunResults = {
    task: task.name,
    title: task.title,
    notes: task.notes,
    options: rest,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverageStart,
      loadAverageEnd: loadavg(),
    },
    data: {
      train: train.length,
      valid: valid.length,
      tests: Object.fromEntries(task.tests.map((t) => [t.name, t.examples.length])),
      skipped,
    },
    headline: task.headline,
    models,
    baselines,
    wallSeconds: (performance.now() - started) / 1000,
  };
  await writeFile(join(options.out, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
  await writeReport(options.out, results, task.lengthOf?.unit);
  return results;
}

/** `[length, fraction correct, count]` for each length of the examples. */
function accuracyByLength(
  task: TaskData,
  examples: readonly Example[],
  outputs: readonly string[],
): [number, number, number][] {
  const byLength = new Map<number, [number, number]>();
  examples.forEach((e, i) => {
    const n = task.lengthOf!.of(e);
    const [right, count] = byLength.get(n) ?? [0, 0];
    byLength.set(n, [right + (task.lengthOf!.correct(e, outputs[i]!) ? 1 : 0), count + 1]);
  });
  return [...byLength].sort(([a], [b]) => a - b).map(([n, [right, count]]) => [n, right / count, count]);
}
