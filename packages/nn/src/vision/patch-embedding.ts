import { lift, type Variable, type VariableLike } from '@proj/autograd';
import { ShapeError, type Size2d } from '@proj/tensor';
import { Conv2d } from '../layers/conv.js';
import type { LayerOptions } from '../layers/linear.js';
import { Module } from '../module.js';

/**
 * Cuts images into non-overlapping `patchSize` tiles and projects each to `embedDim`: a
 * convolution whose stride is its kernel (`proj`, as timm's `PatchEmbed`), then the patches in
 * row-major order as a sequence.
 *
 * Shapes: `images` `[B, inChannels, H, W]` with `[H, W] = imageSize` → `[B, numPatches, embedDim]`,
 * `numPatches = (H/ph)·(W/pw)`.
 * @example new PatchEmbedding([28, 28], 7, 1, 64).forward(images) // [B, 16, 64]
 */
export class PatchEmbedding extends Module {
  proj: Conv2d;
  readonly imageSize: [number, number];
  readonly patchSize: [number, number];
  /** Patches per column and per row: `[H/ph, W/pw]`. */
  readonly grid: [number, number];

  /** @throws RangeError when the image size is not a multiple of the patch size. */
  constructor(
    imageSize: Size2d,
    patchSize: Size2d,
    inChannels: number,
    embedDim: number,
    options: LayerOptions = {},
  ) {
    super();
    this.imageSize = typeof imageSize === 'number' ? [imageSize, imageSize] : [imageSize[0], imageSize[1]];
    this.patchSize = typeof patchSize === 'number' ? [patchSize, patchSize] : [patchSize[0], patchSize[1]];
    const [H, W] = this.imageSize;
    const [ph, pw] = this.patchSize;
    if (!(ph > 0 && pw > 0 && H % ph === 0 && W % pw === 0))
      throw new RangeError(`PatchEmbedding: image ${H}x${W} is not a multiple of patch ${ph}x${pw}`);
    this.grid = [H / ph, W / pw];
    this.proj = new Conv2d(inChannels, embedDim, this.patchSize, { ...options, stride: this.patchSize });
  }

  /** Patches per image. */
  get numPatches(): number {
    return this.grid[0] * this.grid[1];
  }

  /** @throws ShapeError unless `images` is `[B, inChannels, ...imageSize]`. */
  forward(images: VariableLike): Variable {
    const x = lift(images);
    const [H, W] = this.imageSize;
    if (x.ndim !== 4 || x.shape[1] !== this.proj.inChannels || x.shape[2] !== H || x.shape[3] !== W)
      throw new ShapeError(
        `PatchEmbedding: expected images [B, ${this.proj.inChannels}, ${H}, ${W}], got [${x.shape.join(', ')}]`,
      );
    return this.proj.forward(x).flatten(2).transpose(1, 2); // (B, D, gh, gw) -> (B, gh·gw, D)
  }
}
