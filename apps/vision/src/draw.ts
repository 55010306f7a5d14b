import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad } from '@proj/autograd';
import { GPT, generate, IGNORE_INDEX, loadModule, saveModule } from '@proj/nn';
import { argmax, Generator, tensor } from '@proj/tensor';
import { type Classifier, lenet5 } from './classifiers.js';
import {
  type Digits,
  firstOfEachClass,
  loadDigits,
  PIXELS,
  shuffledBatches,
  subset,
  toInput,
} from './mnist.js';
import { Picture } from './picture.js';
import {
  DIGIT_NAMES,
  dequantize,
  LEVELS,
  PROMPT_LENGTH,
  pixelsOf,
  promptTokens,
  quantize,
  SMALL,
  SMALL_PIXELS,
  VOCAB_SIZE,
} from './pixel-tokens.js';
import { trainSteps } from './train-loop.js';

/** Options of {@link draw}. */
export interface DrawOptions {
  out: string;
  quick: boolean;
  /** Training steps of 16 images (default 1500; 10 when quick). */
  steps?: number;
  /** The classifier that grades the drawings: demo 1's CNN weights. */
  judge: string;
  seed: number;
  log: (line: string) => void;
}

/** A user-actionable failure (exit code 1, no stack trace). */
export class VisionError extends Error {
  override name = 'VisionError';
}

const BATCH = 16;
/** The pixel GPT: 3 blocks of 4 heads, 64 wide (164,288 parameters with the 201-position table). */
const SHAPE = { nLayer: 3, nHead: 4, nEmbd: 64 };
/** A much smaller one for `--quick`, whose drawings only show that the pipeline runs. */
const QUICK_SHAPE = { nLayer: 1, nHead: 2, nEmbd: 32 };
/** Columns of the sample grid. */
const SHOWN = 10;

/**
 * Demo 3, text → image: a GPT over {@link SMALL}×{@link SMALL} images at {@link LEVELS} grey levels,
 * one token per pixel in raster order, conditioned on a prompt that spells the digit's name
 * ("seven"). It learns from the training split; then it draws `samples` images per name, and demo
 * 1's CNN grades them: the share classified as the prompted digit (chance 10%), beside the CNN's
 * accuracy on real test digits put through the same quantisation. Writes `gpt.safetensors`,
 * `samples.png` (a row per digit) and `results.json` to `out`.
 * @throws VisionError when the judge's weights are missing.
 */
export function draw(options: DrawOptions) {
  const { out, quick, seed, log } = options;
  if (!existsSync(options.judge))
    throw new VisionError(
      `draw: no classifier at ${options.judge} to grade the drawings; run 'proj-vision classify' first or pass --judge`,
    );
  const judge = lenet5(new Generator(0));
  loadModule(judge, new Uint8Array(readFileSync(options.judge)));
  mkdirSync(out, { recursive: true });
  const data = loadDigits();
  const train = quick ? firstOfEachClass(data.train, 20) : data.train;
  const test = quick ? firstOfEachClass(data.test, 10) : data.test;
  const sequences = train.images.length / PIXELS;
  const tokens = Array.from({ length: sequences }, (_, i) => [
    ...promptTokens(train.labels[i]!),
    ...quantize(train.images.subarray(i * PIXELS, (i + 1) * PIXELS)),
  ]);
  const length = PROMPT_LENGTH + SMALL_PIXELS;
  const shape = quick ? QUICK_SHAPE : SHAPE;
  const model = new GPT(
    { ...shape, vocabSize: VOCAB_SIZE, blockSize: length - 1, dropout: 0 },
    { generator: new Generator(seed) },
  );
  const steps = options.steps ?? (quick ? 10 : 1500);
  log(
    `pixel GPT: ${model.numParameters({ nonEmbedding: false })} parameters, ${steps} steps of ${BATCH} images (${length - 1} tokens each)`,
  );
  const generator = new Generator(seed + 1);
  const perEpoch = Math.ceil(sequences / BATCH);
  let batches: Int32Array[] = [];
  const trained = trainSteps(
    model,
    (step) => {
      if (step % perEpoch === 0) batches = shuffledBatches(sequences, BATCH, generator);
      const rows = Array.from(batches[step % perEpoch]!, (i) => tokens[i]!);
      const ids = tensor(
        rows.map((r) => r.slice(0, -1)),
        { dtype: 'int32' },
      );
      // the loss covers the pixels only: the name is given
      const targets = rows.map((r) => r.slice(1).map((t, j) => (j + 1 < PROMPT_LENGTH ? IGNORE_INDEX : t)));
      const { loss } = model.forward(ids, tensor(targets, { dtype: 'int32' }));
      return { loss: loss!, items: rows.length };
    },
    { steps, lr: 2e-3, log },
  );
  model.eval();
  const samples = quick ? 1 : 20;
  const prompts = DIGIT_NAMES.flatMap((_, d) => Array.from({ length: samples }, () => promptTokens(d)));
  const start = performance.now();
  const drawn = pixelsOf(
    generate(model, tensor(prompts, { dtype: 'int32' }), {
      maxNewTokens: SMALL_PIXELS,
      generator: new Generator(seed + 2),
    }),
  );
  const sampleSeconds = (performance.now() - start) / 1000;
  const images = new Float32Array(drawn.length * PIXELS);
  drawn.forEach((pixels, i) => images.set(dequantize(pixels), i * PIXELS));
  const labels = Int32Array.from(prompts, (_, i) => Math.floor(i / samples));
  const graded = grade(judge, { images, labels, size: labels.length });
  const reference = grade(judge, quantized(test));
  log(
    `  the judge recognises the prompted digit in ${(100 * graded.accuracy).toFixed(1)}% of ${labels.length} drawings (chance 10%)`,
  );
  log(`  per digit: ${graded.perClass.map((a, d) => `${d} ${(100 * a).toFixed(0)}%`).join(', ')}`);
  log(`  the judge on real test digits quantised the same way: ${(100 * reference.accuracy).toFixed(1)}%`);
  drawSamples(drawn, samples).save(join(out, 'samples.png'));
  writeFileSync(join(out, 'gpt.safetensors'), saveModule(model));
  const summary = {
    levels: LEVELS,
    side: SMALL,
    steps,
    batch: BATCH,
    trainSeconds: trained.seconds,
    trainImagesPerSecond: trained.itemsPerSecond,
    sampleSeconds,
    samplesPerDigit: samples,
    judgeAccuracy: graded.accuracy,
    judgeAccuracyPerDigit: graded.perClass,
    judgeAccuracyOnQuantisedTestDigits: reference.accuracy,
  };
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`wrote ${join(out, 'gpt.safetensors')}, ${join(out, 'samples.png')}, ${join(out, 'results.json')}`);
  return summary;
}

/** Real digits as the model would draw them: quantised to {@link LEVELS} levels at half size and back. */
function quantized(digits: Digits): Digits {
  const images = new Float32Array(digits.images.length);
  for (let i = 0; i < digits.size; i++) {
    images.set(dequantize(quantize(digits.images.subarray(i * PIXELS, (i + 1) * PIXELS))), i * PIXELS);
  }
  return { ...digits, images };
}

/** The classifier's accuracy on `digits`, overall and per class. */
function grade(judge: Classifier, digits: Digits): { accuracy: number; perClass: number[] } {
  judge.eval();
  const right = new Array<number>(10).fill(0);
  const count = new Array<number>(10).fill(0);
  for (let at = 0; at < digits.size; at += 500) {
    const part = subset(
      digits,
      Array.from({ length: Math.min(500, digits.size - at) }, (_, i) => at + i),
    );
    const predicted = noGrad(() => argmax(judge.forward(toInput(part.images)).data, -1)).data();
    part.labels.forEach((label, i) => {
      count[label]!++;
      if (predicted[i] === label) right[label]!++;
    });
  }
  const total = right.reduce((a, b) => a + b, 0);
  return { accuracy: total / digits.size, perClass: right.map((r, d) => r / Math.max(1, count[d]!)) };
}

/** One row per digit, the first {@link SHOWN} drawings of each. */
function drawSamples(drawn: number[][], perDigit: number): Picture {
  const scale = 4;
  const gap = 4;
  const cell = SMALL * scale + gap;
  const columns = Math.min(SHOWN, perDigit);
  const picture = new Picture(columns * cell + gap, 10 * cell + gap);
  for (let d = 0; d < 10; d++) {
    for (let k = 0; k < columns; k++) {
      const pixels = drawn[d * perDigit + k]!.map((t) => (t < LEVELS ? t / (LEVELS - 1) : 0));
      picture.draw(gap + k * cell, gap + d * cell, pixels, SMALL, scale);
    }
  }
  return picture;
}
