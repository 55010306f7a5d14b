import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';

/**
 * An RGB canvas for the demos' figures, encoded by `pngjs`. Images are drawn as MNIST shows them
 * (white ink on black), each pixel as a `scale × scale` block.
 */
export class Picture {
  readonly png: PNG;

  constructor(
    readonly width: number,
    readonly height: number,
    background = 255,
  ) {
    this.png = new PNG({ width, height });
    this.png.data.fill(background);
  }

  private set(x: number, y: number, rgb: readonly [number, number, number]): void {
    const at = 4 * (y * this.width + x);
    this.png.data[at] = rgb[0];
    this.png.data[at + 1] = rgb[1];
    this.png.data[at + 2] = rgb[2];
    this.png.data[at + 3] = 255;
  }

  /** Draws `pixels` (`rows × cols` values in [0, 1], row-major) at `(x0, y0)`, coloured by `color`. */
  draw(
    x0: number,
    y0: number,
    pixels: ArrayLike<number>,
    cols: number,
    scale: number,
    color: (value: number, row: number, col: number) => [number, number, number] = grey,
  ): void {
    const rows = pixels.length / cols;
    for (let r = 0; r < rows * scale; r++) {
      for (let c = 0; c < cols * scale; c++) {
        const [pr, pc] = [Math.floor(r / scale), Math.floor(c / scale)];
        this.set(x0 + c, y0 + r, color(clamp01(pixels[pr * cols + pc]!), pr, pc));
      }
    }
  }

  /** Writes the PNG file (creating its folder). */
  save(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, PNG.sync.write(this.png));
  }
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** White ink on black. */
export function grey(value: number): [number, number, number] {
  const v = Math.round(255 * value);
  return [v, v, v];
}

/**
 * A digit under a heat map: `heat` (`gridRows × gridCols` weights, scaled so the largest is 1) spread
 * over the image's `imageRows × imageCols` pixels, coloured black → red → yellow ("hot") and blended
 * with the grey digit so the ink shows through.
 */
export function heatOverlay(
  heat: ArrayLike<number>,
  gridCols: number,
  imageRows: number,
  imageCols: number,
): (value: number, row: number, col: number) => [number, number, number] {
  let top = 0;
  for (let i = 0; i < heat.length; i++) top = Math.max(top, heat[i]!);
  const gridRows = heat.length / gridCols;
  const alpha = 0.6;
  return (value, row, col) => {
    const cell =
      Math.floor((row * gridRows) / imageRows) * gridCols + Math.floor((col * gridCols) / imageCols);
    const h = top > 0 ? heat[cell]! / top : 0;
    const hot = [Math.min(1, 2 * h), Math.max(0, 2 * h - 1), 0];
    return hot.map((c) => Math.round(255 * ((1 - alpha) * value + alpha * c))) as [number, number, number];
  };
}
