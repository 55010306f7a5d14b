/** One turn of a conversation, as in Hugging Face's chat format. */
export interface ChatMessage {
  /** `'system'`, `'user'`, `'assistant'` (any string is accepted; templates decide what it means). */
  role: string;
  content: string;
}

/**
 * A piece of rendered text and whether the model learns it. Templates return the pieces in order,
 * so loss masks come from these spans, never from searching for template text in the token
 * stream (the same template text tokenizes differently in different contexts).
 */
export interface TextSpan {
  text: string;
  /** True for text the loss is computed on (assistant replies and their end-of-turn marker). */
  trained: boolean;
  /**
   * True for template markup (`<|im_start|>`…): special-token text in it becomes the special id.
   * Message contents are never markup, so a user cannot inject special tokens through them.
   */
  markup: boolean;
}

/**
 * Renders a conversation into spans. With `addGenerationPrompt` the rendering ends with the
 * opening of an assistant turn, the prompt a model continues at inference.
 */
export type ChatTemplate = (
  messages: readonly ChatMessage[],
  options?: { addGenerationPrompt?: boolean },
) => TextSpan[];

/** Options of {@link chatML}. */
export interface ChatMLOptions {
  /** Start-of-turn marker (default `<|im_start|>`). */
  start?: string;
  /** End-of-turn marker (default `<|im_end|>`); trained after each assistant reply, so the model learns to stop. */
  end?: string;
}

/**
 * The ChatML template (Qwen's, and TRL's default for models without one):
 * `<|im_start|>{role}\n{content}<|im_end|>\n` per message. Assistant contents and the end marker
 * after them are trained; everything else is context.
 *
 * @example
 * const spans = chatML()([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }]);
 * spans.map((s) => s.text).join(''); // '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n'
 */
export function chatML(options: ChatMLOptions = {}): ChatTemplate {
  const { start = '<|im_start|>', end = '<|im_end|>' } = options;
  return (messages, { addGenerationPrompt = false } = {}) => {
    const spans: TextSpan[] = [];
    for (const { role, content } of messages) {
      const trained = role === 'assistant';
      spans.push({ text: `${start}${role}\n`, trained: false, markup: true });
      spans.push({ text: content, trained, markup: false });
      spans.push({ text: end, trained, markup: true });
      spans.push({ text: '\n', trained: false, markup: true });
    }
    if (addGenerationPrompt) spans.push({ text: `${start}assistant\n`, trained: false, markup: true });
    return spans;
  };
}
