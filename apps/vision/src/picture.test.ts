import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { heatOverlay, Picture } from './picture.js';

describe('Picture', () => {
  it('writes a PNG that pngjs reads back pixel for pixel', () => {
    const picture = new Picture(10, 6);
    picture.draw(1, 1, [0, 1, 0.5, 1], 2, 2); // a 2x2 image at scale 2
    const path = join(mkdtempSync(join(tmpdir(), 'vision-')), 'a', 'p.png');
    picture.save(path);
    const png = PNG.sync.read(readFileSync(path));
    const at = (x: number, y: number) =>
      Array.from(png.data.subarray(4 * (y * 10 + x), 4 * (y * 10 + x) + 4));
    expect([png.width, png.height]).toEqual([10, 6]);
    expect(at(0, 0)).toEqual([255, 255, 255, 255]); // background
    expect(at(1, 1)).toEqual([0, 0, 0, 255]);
    expect(at(3, 2)).toEqual([255, 255, 255, 255]);
    expect(at(2, 3)).toEqual([128, 128, 128, 255]);
  });

  it('heat overlays go from black (no weight) to yellow (the most), blended with the ink', () => {
    const color = heatOverlay([0, 1, 0.5, 0], 2, 4, 4); // a 2x2 grid over a 4x4 image
    expect(color(0, 0, 0)).toEqual([0, 0, 0]);
    expect(color(0, 0, 3)).toEqual([153, 153, 0]);
    expect(color(1, 3, 0)).toEqual([255, 102, 102]);
  });
});
