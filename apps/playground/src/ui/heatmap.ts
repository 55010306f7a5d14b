/** The colour of an attention weight in [0, 1]: white through blue to near-black (sequential, like matplotlib's Blues). */
export function heatColor(weight: number): [number, number, number] {
  const w = Math.min(1, Math.max(0, Number.isFinite(weight) ? weight : 0));
  const stops: [number, number, number][] = [
    [255, 255, 255],
    [107, 174, 214],
    [8, 48, 107],
    [4, 20, 45],
  ];
  const x = w * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/**
 * Draws a `T×T` attention matrix (row = query, column = key) into `canvas`, one cell per weight,
 * scaled to the canvas size without smoothing.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, weights: ArrayLike<number>, T: number): void {
  const cells = new ImageData(T, T);
  for (let i = 0; i < T * T; i++) {
    const [r, g, b] = heatColor(weights[i]!);
    cells.data.set([r, g, b, 255], i * 4);
  }
  const scratch = new OffscreenCanvas(T, T);
  scratch.getContext('2d')!.putImageData(cells, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}
