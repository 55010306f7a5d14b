#!/usr/bin/env node
import { pairsStage } from './pairs-stage.js';
import { promptsStage } from './prompts-stage.js';
import { reportStage } from './report.js';

const USAGE = `Usage: node apps/rlhf/dist/main.js <prompts|pairs|report> [--runs runs/rlhf] [--out apps/rlhf/results] [--quick]

The stages of the RLHF demo that are not proj commands (see apps/rlhf/README.md):
  prompts  opening tokens of held-out SOTU sentences → prompts.jsonl, eval-prompts.jsonl
  pairs    two base-model continuations per prompt, the higher AFINN score chosen → pairs.jsonl, val-pairs.jsonl
  report   base, best-of-n and every trained policy measured → results.json, results.md, reward-vs-kl.svg (and -zoom.svg)
--quick: a few prompts and short continuations, for tests.
`;

/** Runs a stage of the demo: `argv` is `<stage> [--runs dir] [--out dir] [--quick]`. */
export async function demo(argv: readonly string[]): Promise<string> {
  const [stage, ...rest] = argv;
  const flag = (name: string, fallback: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 && rest[i + 1] ? rest[i + 1]! : fallback;
  };
  const quick = rest.includes('--quick');
  const runs = flag('runs', 'runs/rlhf');
  // nanoGPT's sampling temperature: the small base writes mostly real words at 0.8, fewer at 1
  const generation = { maxNewTokens: quick ? 6 : 24, temperature: 0.8 };
  if (stage === 'prompts')
    return promptsStage({
      runs,
      promptWords: quick ? 3 : 6,
      evalPrompts: quick ? 6 : 64,
      trainPrompts: quick ? 24 : 1500,
    });
  if (stage === 'pairs')
    return pairsStage({ runs, generation, pairsPerPrompt: { train: 1, val: 3 }, seed: 1 });
  if (stage === 'report')
    return reportStage({
      runs,
      out: flag('out', 'apps/rlhf/results'),
      samples: quick ? 2 : 4,
      n: quick ? 4 : 16,
      generation,
      evalIters: quick ? 2 : 40,
      seed: 2,
    });
  throw new Error(USAGE);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  demo(process.argv.slice(2)).then(
    (text) => process.stdout.write(`${text}\n`),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
