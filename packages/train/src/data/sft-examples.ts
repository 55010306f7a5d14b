import type { ChatMessage } from './chat-template.js';

/** A supervised example: a prompt and the completion the model should learn to write after it. */
export interface PromptCompletion {
  prompt: string;
  completion: string;
}

/** A supervised example as a conversation; the assistant turns are learned. */
export interface ChatExample {
  messages: ChatMessage[];
}

/** One example of a supervised finetuning set (TRL's "prompt-completion" or "conversational" format). */
export type SFTExample = PromptCompletion | ChatExample;

/** Thrown for a malformed example or data file; the message names where (file and line, or example index). */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/**
 * Checks that `value` is an {@link SFTExample} with something to learn, and returns it.
 * @param where - where the value came from, for messages (`data.jsonl:12`, `example 3`).
 * @throws DatasetError naming `where` and the field.
 */
export function checkSFTExample(value: unknown, where: string): SFTExample {
  const fail = (what: string): never => {
    throw new DatasetError(`${where}: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('expected an object with "prompt" and "completion", or with "messages"');
  const v = value as Record<string, unknown>;
  if ('messages' in v) {
    if (!Array.isArray(v.messages)) fail('"messages" must be an array of {role, content}');
    const messages = v.messages as unknown[];
    messages.forEach((m, i) => {
      const message = m as Record<string, unknown> | null;
      if (typeof message !== 'object' || message === null)
        fail(`messages[${i}] must be an object with "role" and "content"`);
      if (typeof message!.role !== 'string') fail(`messages[${i}].role must be a string`);
      if (typeof message!.content !== 'string') fail(`messages[${i}].content must be a string`);
    });
    const replies = messages as ChatMessage[];
    if (!replies.some((m) => m.role === 'assistant' && m.content.length > 0))
      fail('the conversation has no non-empty assistant message to learn');
    return { messages: replies.map(({ role, content }) => ({ role, content })) };
  }
  if (typeof v.prompt !== 'string') fail('"prompt" must be a string');
  if (typeof v.completion !== 'string') fail('"completion" must be a string');
  if ((v.completion as string).length === 0) fail('"completion" is empty: there is nothing to learn');
  return { prompt: v.prompt as string, completion: v.completion as string };
}

/**
 * Parses JSON Lines of {@link SFTExample}s: one JSON object per line, blank lines skipped.
 * @param name - the file name used in messages.
 * @returns the examples, and the 1-based line of each (for messages about an example later).
 * @throws DatasetError naming the line of the first malformed example.
 * @example parseSFTJsonl('{"prompt": "2+2=", "completion": "4"}\n', 'math.jsonl').examples;
 */
export function parseSFTJsonl(
  text: string,
  name = 'data.jsonl',
): { examples: SFTExample[]; lines: number[] } {
  const examples: SFTExample[] = [];
  const numbers: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DatasetError(`${name}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    examples.push(checkSFTExample(value, `${name}:${i + 1}`));
    numbers.push(i + 1);
  }
  if (examples.length === 0) throw new DatasetError(`${name}: no examples`);
  return { examples, lines: numbers };
}
