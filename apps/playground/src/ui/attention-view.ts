import type { AttentionMaps } from '../engine/session.js';
import { drawHeatmap } from './heatmap.js';

const CELL = 132;
const FOCUS = 420;

/**
 * Every layer's and head's attention as a grid of heatmaps (rows: layers, columns: heads); clicking
 * one shows it large, with the tokens along both axes and each weight on hover.
 */
export function renderAttention(grid: HTMLElement, focus: HTMLElement, maps: AttentionMaps): void {
  const T = maps.tokens.length;
  const headOf = (layer: number, head: number) =>
    maps.layers[layer]!.subarray(head * T * T, (head + 1) * T * T);
  grid.replaceChildren(
    ...maps.layers.map((_, layer) => {
      const row = document.createElement('div');
      row.className = 'attention-row';
      for (let head = 0; head < maps.nHead; head++) {
        const figure = document.createElement('figure');
        const canvas = Object.assign(document.createElement('canvas'), { width: CELL, height: CELL });
        canvas.dataset.layer = String(layer);
        canvas.dataset.head = String(head);
        drawHeatmap(canvas, headOf(layer, head), T);
        const caption = document.createElement('figcaption');
        caption.textContent = `layer ${layer} · head ${head}`;
        figure.append(canvas, caption);
        figure.onclick = () =>
          showFocus(focus, maps.tokens, headOf(layer, head), `layer ${layer} · head ${head}`);
        row.append(figure);
      }
      return row;
    }),
  );
  showFocus(
    focus,
    maps.tokens,
    headOf(maps.layers.length - 1, 0),
    `layer ${maps.layers.length - 1} · head 0`,
  );
}

function showFocus(
  focus: HTMLElement,
  tokens: readonly string[],
  weights: Float32Array,
  title: string,
): void {
  const T = tokens.length;
  const canvas = Object.assign(document.createElement('canvas'), { width: FOCUS, height: FOCUS });
  drawHeatmap(canvas, weights, T);
  const label = (t: string) => JSON.stringify(t).slice(1, -1);
  const readout = document.createElement('p');
  readout.className = 'status';
  readout.textContent = `${title}: rows are queries, columns keys; hover a cell`;
  canvas.onmousemove = (e) => {
    const q = Math.min(T - 1, Math.floor((e.offsetY / canvas.clientHeight) * T));
    const k = Math.min(T - 1, Math.floor((e.offsetX / canvas.clientWidth) * T));
    readout.textContent = `${title}: "${label(tokens[q]!)}" (#${q}) attends to "${label(tokens[k]!)}" (#${k}) with ${weights[q * T + k]!.toFixed(3)}`;
  };
  const keys = document.createElement('div');
  keys.className = 'attention-tokens';
  keys.textContent = tokens.map(label).join(' · ');
  focus.replaceChildren(canvas, readout, keys);
}
