import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { noGrad } from '@proj/autograd';
import type { GPT } from '@proj/nn';
import type { BPETokenizer } from '@proj/tokenizers';
import {
  type GenerationOptions,
  metricNumbers,
  PreferenceDataset,
  parsePreferenceJsonl,
  rewardModelObjective,
} from '@proj/train';
import { loadCheckpoint } from '@proj/train/node';
import { readPrompts } from './jsonl.js';
import {
  bestOfN,
  type Continuations,
  type Measurement,
  measurePolicy,
  sampleContinuations,
  validationLoss,
} from './measure.js';
import { type RewardKLSeries, rewardKLSvg, withinKL } from './reward-kl-svg.js';
import { loadRewardModel, loadRunModel } from './run-model.js';
import { heldOut } from './sotu.js';

/** Options of {@link reportStage}. */
export interface ReportOptions {
  runs: string;
  /** Where results.json, results.md, reward-vs-kl.svg and its zoom go. */
  out: string;
  /** Continuations per evaluation prompt and method. */
  samples: number;
  /** Best-of-n's n (the chart also shows every power of two below it). */
  n: number;
  /** How every method's continuations are sampled. */
  generation: GenerationOptions;
  /** Batches of SOTU's validation split for the language-model loss. */
  evalIters: number;
  seed: number;
}

/** One row of the table. */
interface Row extends Measurement {
  method: string;
  /** Wall time of the method (training, or best-of-n's sampling), seconds. */
  seconds: number;
  samples: string[];
}

/** KL (nats per token) up to which the second chart shows the methods that kept their fluency. */
const ZOOM_KL = 0.7;

/** Chart colours by method, a darker one for each further run of the same method. */
const COLORS: Record<string, string[]> = {
  dpo: ['#2ca02c', '#1a6b1a'],
  ppo: ['#d62728', '#8c1617'],
  grpo: ['#9467bd', '#5b3a80'],
};

/**
 * The policies trained in `runs` (the folders whose checkpoint is a run of `proj dpo`, `ppo` or
 * `grpo`), in name order, each named by its method and KL setting.
 */
async function policyRuns(runs: string): Promise<{ dir: string; label: string; color: string }[]> {
  const found: { dir: string; label: string; color: string }[] = [];
  const used: Record<string, number> = {};
  for (const name of (await readdir(runs)).sort()) {
    const dir = join(runs, name);
    if (!existsSync(join(dir, 'checkpoint.json'))) continue;
    const { config } = (await loadCheckpoint(dir)).state;
    const method = ['dpo', 'ppo', 'grpo'].find((m) => m in config);
    if (!method) continue;
    const a = config[method] as Record<string, unknown>;
    const beta =
      method === 'ppo'
        ? a.adapKlCtrl
          ? `adaptive β from ${a.initKlCoef}, target ${a.target}, horizon ${a.horizon}`
          : `β ${a.initKlCoef}`
        : `β ${a.beta}`;
    const k = used[method] ?? 0;
    used[method] = k + 1;
    found.push({ dir, label: `${method.toUpperCase()} (${beta})`, color: COLORS[method]![k % 2]! });
  }
  return found;
}

/**
 * Measures the base model, best-of-n and every trained policy in `runs` on the evaluation prompts
 * (the same prompts, samples and seed for each): mean lexicon score, KL to the base (nats per
 * token), SOTU validation loss, distinct-2, wall time, five samples; the reward model's held-out
 * accuracy; and draws reward against KL.
 */
export async function reportStage(o: ReportOptions): Promise<string> {
  const base = await loadRunModel(join(o.runs, 'base'));
  const { tokenizer } = base;
  const { val } = heldOut(tokenizer);
  const texts = await readPrompts(join(o.runs, 'eval-prompts.jsonl'));
  const prompts = texts.map((t) => tokenizer.encodeOrdinary(t));
  const { generation } = o;
  const decode = (ids: readonly number[]) => tokenizer.decode(ids);
  const sample = (model: GPT, samples = o.samples) =>
    sampleContinuations(model, prompts, { generation, samples, seed: o.seed, decode });
  const baseLoss = validationLoss(base.model, val, o.evalIters);
  const firsts = (c: Continuations, every: number) =>
    Array.from({ length: 5 }, (_, i) => c.texts[i * every] ?? '');

  const baseSamples = sample(base.model);
  const rows: Row[] = [
    {
      method: 'base model',
      ...measurePolicy(base.model, base.model, baseSamples, { generation, valLoss: baseLoss }),
      seconds: await wallSeconds(join(o.runs, 'base')),
      samples: firsts(baseSamples, o.samples),
    },
  ];
  const started = performance.now();
  const pool = sample(base.model, o.n);
  const bonSeconds = (performance.now() - started) / 1000;
  const frontier = powersOfTwo(o.n).map((n) => ({ n, ...bestOfN(subset(pool, o.n, n), n, baseLoss) }));
  const best = frontier.at(-1)!;
  rows.push({
    method: `best-of-${o.n}`,
    ...best.measurement,
    seconds: bonSeconds,
    samples: firsts(best.continuations, 1),
  });
  const series: RewardKLSeries[] = [
    {
      label: 'best-of-n (n = 1, 2, 4, …)',
      color: '#1f77b4',
      points: frontier.map((f) => [f.measurement.klPerToken, f.measurement.score]),
      pointLabels: frontier.map((f) => `n=${f.n}`),
    },
  ];
  for (const { dir: path, label: method, color } of await policyRuns(o.runs)) {
    const policy = (await loadRunModel(path)).model;
    const c = sample(policy);
    const m = measurePolicy(policy, base.model, c, {
      generation,
      valLoss: validationLoss(policy, val, o.evalIters),
    });
    rows.push({ method, ...m, seconds: await wallSeconds(path), samples: firsts(c, o.samples) });
    series.push({ label: method, color, points: [...(await trajectory(path)), [m.klPerToken, m.score]] });
  }
  const accuracy = await rewardModelAccuracy(o.runs, tokenizer);
  await mkdir(o.out, { recursive: true });
  const results = {
    prompts: texts.length,
    samples: o.samples,
    generation,
    rewardModelAccuracy: accuracy,
    rows,
  };
  await writeFile(join(o.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(
    join(o.out, 'reward-vs-kl.svg'),
    rewardKLSvg(series, 'Positive SOTU continuations: reward against KL'),
  );
  await writeFile(
    join(o.out, 'reward-vs-kl-zoom.svg'),
    rewardKLSvg(withinKL(series, ZOOM_KL), `The same, KL up to ${ZOOM_KL} nats per token`),
  );
  const markdown = resultsMarkdown(rows, texts, accuracy);
  await writeFile(join(o.out, 'results.md'), markdown);
  return markdown;
}

/** The first `n` of every `pool` continuations of each prompt. */
function subset(c: Continuations, pool: number, n: number): Continuations {
  const keep = (_: unknown, i: number) => i % pool < n;
  return {
    prompts: c.prompts.filter(keep),
    completions: c.completions.filter(keep),
    texts: c.texts.filter(keep),
    scores: c.scores.filter(keep),
  };
}

function powersOfTwo(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < n; k *= 2) out.push(k);
  return [...out, n];
}

/** A run's wall time from its metrics.json (NaN when it has none). */
async function wallSeconds(dir: string): Promise<number> {
  try {
    return (JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as { wallSeconds: number })
      .wallSeconds;
  } catch {
    return Number.NaN;
  }
}

/** `[KL per token, mean reward]` at each evaluation a PPO or GRPO run logged (none for DPO). */
async function trajectory(dir: string): Promise<[number, number][]> {
  const { history } = (await loadCheckpoint(dir)).state;
  return (history.evalMetrics ?? []).flatMap(([, m]) =>
    m['eval/kl_per_token'] === undefined
      ? []
      : [[m['eval/kl_per_token'], m['eval/reward_mean']!] as [number, number]],
  );
}

/**
 * The share of the held-out pairs (`val-pairs.jsonl`, each once) whose chosen continuation the
 * reward model scores above the rejected one, or null without a reward-model run.
 */
async function rewardModelAccuracy(runs: string, tokenizer: BPETokenizer): Promise<number | null> {
  const dir = join(runs, 'rm');
  if (!existsSync(join(dir, 'checkpoint.json'))) return null;
  const model = await loadRewardModel(dir);
  const { examples } = parsePreferenceJsonl(await readFile(join(runs, 'val-pairs.jsonl'), 'utf8'));
  const pairs = PreferenceDataset.fromExamples(examples, {
    tokenizer,
    blockSize: model.config.blockSize,
    eosId: null,
  });
  const all = pairs.batchAt(
    Array.from({ length: pairs.length }, (_, i) => i),
    pairs.blockSize,
  );
  return noGrad(() => metricNumbers(rewardModelObjective(model)(all).metrics).accuracy!);
}

function resultsMarkdown(rows: readonly Row[], prompts: readonly string[], accuracy: number | null): string {
  const f = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
  const time = (s: number) =>
    Number.isFinite(s) ? (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`) : '–';
  const lines = [
    '| method | mean AFINN score | KL to base (nats/token) | SOTU val loss | distinct-2 | mean length | wall time |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.method} | ${f(r.score, 2)} | ${f(r.klPerToken, 3)} | ${f(r.valLoss, 3)} | ${f(r.distinct2, 3)} | ${f(r.length, 1)} | ${time(r.seconds)} |`,
    ),
    '',
    accuracy === null ? '' : `Reward model accuracy on the held-out pairs: ${(100 * accuracy).toFixed(1)}%.`,
    '',
  ];
  for (const r of rows.slice(1)) {
    lines.push(`<details><summary>${r.method}: five samples, before (base) → after</summary>`, '');
    prompts.slice(0, 5).forEach((p, i) => {
      lines.push(
        `- *${p.trim()}* … ${JSON.stringify(rows[0]!.samples[i])} → ${JSON.stringify(r.samples[i])}`,
      );
    });
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n')}\n`;
}
