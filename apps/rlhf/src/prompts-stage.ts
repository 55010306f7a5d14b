import { join } from 'node:path';
import { writeJsonl } from './jsonl.js';
import { loadRunModel } from './run-model.js';
import { heldOut } from './sotu.js';

/** Options of {@link promptsStage}. */
export interface PromptsOptions {
  /** Folder of the demo's runs (`base/` in it, prompt files written to it). */
  runs: string;
  /** Opening words of a sentence that make a prompt (whole words: a prompt never ends inside one). */
  promptWords: number;
  /** Prompts kept for evaluation (every tenth sentence, in order). */
  evalPrompts: number;
  /** Training prompts at most. */
  trainPrompts: number;
}

/**
 * Prompts from passages the base model never trained on (SOTU's validation split; the addresses
 * have no paragraph breaks, so passages start at sentences): the opening `promptWords` words of
 * each. Every tenth goes to `eval-prompts.jsonl` (up to `evalPrompts`), the others to `prompts.jsonl`.
 */
export async function promptsStage(o: PromptsOptions): Promise<string> {
  const { tokenizer } = await loadRunModel(join(o.runs, 'base'));
  const { sentences } = heldOut(tokenizer);
  const prompt = (p: string) => ({ prompt: p.split(/\s+/).slice(0, o.promptWords).join(' ') });
  const evaluation = sentences
    .filter((_, i) => i % 10 === 0)
    .slice(0, o.evalPrompts)
    .map(prompt);
  const training = sentences
    .filter((_, i) => i % 10 !== 0)
    .slice(0, o.trainPrompts)
    .map(prompt);
  await writeJsonl(join(o.runs, 'prompts.jsonl'), training);
  await writeJsonl(join(o.runs, 'eval-prompts.jsonl'), evaluation);
  return `${sentences.length} held-out sentences: ${training.length} training prompts (prompts.jsonl) and ${evaluation.length} evaluation prompts (eval-prompts.jsonl) of ${o.promptWords} words in ${o.runs}`;
}
