import type { Tokenizer } from '@proj/tokenizers';
import { pieceColor, tokenPieces } from './token-pieces.js';

/** One encoding to show: its tokenizer, or why there is none yet. */
export interface Encoding {
  label: string;
  tokenizer: Tokenizer | null;
  /** Shown instead of the pieces when there is no tokenizer. */
  note?: string;
}

/**
 * Draws `text` under each encoding: its token count, and the text cut into coloured pieces whose
 * title (on hover) and `data-ids` give their ids. A row whose tokenizer cannot encode the text says why.
 */
export function renderTokenRows(container: HTMLElement, text: string, encodings: readonly Encoding[]): void {
  container.replaceChildren(
    ...encodings.map(({ label, tokenizer, note }) => {
      const row = document.createElement('div');
      row.className = 'token-row';
      row.dataset.encoding = label;
      const head = document.createElement('div');
      head.className = 'token-head';
      const body = document.createElement('div');
      body.className = 'token-pieces';
      row.append(head, body);
      if (!tokenizer) {
        head.textContent = label;
        body.textContent = note ?? '';
        return row;
      }
      try {
        const pieces = tokenPieces(tokenizer, text);
        const count = pieces.reduce((n, p) => n + p.ids.length, 0);
        head.textContent = `${label}: ${count} token${count === 1 ? '' : 's'}`;
        row.dataset.count = String(count);
        body.append(
          ...pieces.map((p, i) => {
            const span = document.createElement('span');
            span.textContent = p.text;
            span.style.background = pieceColor(i);
            span.dataset.ids = p.ids.join(' ');
            span.title = `${p.ids.length === 1 ? 'id' : 'ids'} ${p.ids.join(', ')}`;
            return span;
          }),
        );
      } catch (error) {
        head.textContent = label;
        body.textContent = (error as Error).message;
        body.classList.add('error');
      }
      return row;
    }),
  );
}
