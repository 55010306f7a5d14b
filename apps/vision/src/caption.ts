import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveModule } from '@proj/nn';
import { Generator, tensor } from '@proj/tensor';
import { BOS, Captioner, type CaptionerConfig, EOS, PAD } from './captioner.js';
import { type Digits, firstOfEachClass, loadDigits, SIDE, toInput } from './mnist.js';
import { classIndex, composeNumber, drawNumber, MAX_DIGITS, WIDTH } from './number-images.js';
import { NUMBER_WORDS, numberToWords } from './number-words.js';
import { Picture } from './picture.js';
import { trainSteps } from './train-loop.js';

/** Options of {@link caption}. */
export interface CaptionOptions {
  out: string;
  quick: boolean;
  /** Training steps of 32 images (default 4000; 10 when quick). */
  steps?: number;
  seed: number;
  log: (line: string) => void;
}

/** BOS + the longest phrase (6 words, "seven thousand seven hundred seventy seven") + EOS. */
const MAX_TOKENS = 8;

/** The captioner of the demo: 14×7 patches of the 28×112 picture (2 rows of 16), 64 wide. */
export const CAPTIONER: CaptionerConfig = {
  imageSize: [SIDE, WIDTH],
  patchSize: [14, 7],
  vocabSize: 3 + NUMBER_WORDS.length,
  maxLength: MAX_TOKENS,
  dim: 64,
  heads: 4,
  encoderLayers: 2,
  decoderLayers: 2,
  feedforward: 128,
};

const BATCH = 32;
/** Pictures of each test set shown in `examples.png` (and listed in results.json). */
const EXAMPLES_PER_SET = 2;

/** Token ids of a number's words: BOS, words, EOS, padding up to {@link MAX_TOKENS}. */
export function captionTokens(n: number): number[] {
  const ids = [
    BOS,
    ...numberToWords(n)
      .split(' ')
      .map((w) => 3 + NUMBER_WORDS.indexOf(w)),
    EOS,
  ];
  return [...ids, ...new Array<number>(MAX_TOKENS - ids.length).fill(PAD)];
}

/** The words of token ids (special tokens dropped). */
export function wordsOf(ids: readonly number[]): string {
  return ids
    .filter((id) => id >= 3)
    .map((id) => NUMBER_WORDS[id - 3] ?? '?')
    .join(' ');
}

/** A batch of number pictures from `digits` with their numbers. */
function numberBatch(numbers: readonly number[], digits: Digits, byClass: number[][], generator: Generator) {
  const pixels = new Float32Array(numbers.length * SIDE * WIDTH);
  numbers.forEach((n, i) => {
    composeNumber(n, digits, byClass, generator, pixels.subarray(i * SIDE * WIDTH, (i + 1) * SIDE * WIDTH));
  });
  return { pixels, images: toInput(pixels, SIDE, WIDTH) };
}

/** One test set: how many of its pictures are captioned word for word right. */
interface ExactMatch {
  set: string;
  images: number;
  exactMatch: number;
}

/**
 * Demo 2, image → text: pictures of 1–4 digit numbers composed from MNIST digits, captioned with the
 * number in English words by a ViT-style encoder and a transformer decoder with cross-attention.
 * Training draws numbers outside a held-out set (about 10% of the 2–4 digit numbers) on training
 * digit images; the test asks for held-out numbers on test digit images, and for training numbers on
 * test images. Writes `captioner.safetensors`, `examples.png` and `results.json` to `out`.
 */
export function caption(options: CaptionOptions): ExactMatch[] {
  const { out, quick, seed, log } = options;
  mkdirSync(out, { recursive: true });
  const data = loadDigits();
  const train = quick ? firstOfEachClass(data.train, 20) : data.train;
  const test = quick ? firstOfEachClass(data.test, 10) : data.test;
  const [trainClasses, testClasses] = [classIndex(train), classIndex(test)];
  const model = new Captioner(CAPTIONER, new Generator(seed));
  const steps = options.steps ?? (quick ? 10 : 4000);
  log(`captioner: ${model.numParameters()} parameters, ${steps} steps of ${BATCH} pictures`);
  const generator = new Generator(seed + 1);
  const trained = trainSteps(
    model,
    () => {
      const numbers = Array.from({ length: BATCH }, () =>
        drawNumber(generator.integer(1, MAX_DIGITS + 1), false, generator),
      );
      const { images } = numberBatch(numbers, train, trainClasses, generator);
      const tokens = tensor(numbers.map(captionTokens), { dtype: 'int32' }); // (B, MAX_TOKENS)
      const loss = model.loss(
        images,
        tokens.narrow(1, 0, MAX_TOKENS - 1),
        tokens.narrow(1, 1, MAX_TOKENS - 1),
      );
      return { loss, items: BATCH };
    },
    { steps, lr: 2e-3, log },
  );
  model.eval();
  const perSet = quick ? EXAMPLES_PER_SET : 300;
  const testGenerator = new Generator(seed + 2);
  const sets: [string, number[]][] = [
    ...[2, 3, 4].map((d): [string, number[]] => [
      `held-out ${d}-digit numbers`,
      Array.from({ length: perSet }, () => drawNumber(d, true, testGenerator)),
    ]),
    [
      'training numbers, 1-4 digits, test images',
      Array.from({ length: perSet }, (_, i) => drawNumber(1 + (i % MAX_DIGITS), false, testGenerator)),
    ],
  ];
  const results: ExactMatch[] = [];
  const examples: { set: string; number: number; target: string; predicted: string }[] = [];
  const shown: Float32Array[] = [];
  for (const [name, numbers] of sets) {
    const { pixels, images } = numberBatch(numbers, test, testClasses, testGenerator);
    const predicted = model.caption(images).map(wordsOf);
    const right = predicted.filter((p, i) => p === numberToWords(numbers[i]!)).length;
    results.push({ set: name, images: numbers.length, exactMatch: right / numbers.length });
    log(`  ${name}: exact match ${((100 * right) / numbers.length).toFixed(1)}% of ${numbers.length}`);
    for (let i = 0; i < EXAMPLES_PER_SET; i++) {
      examples.push({
        set: name,
        number: numbers[i]!,
        target: numberToWords(numbers[i]!),
        predicted: predicted[i]!,
      });
      shown.push(pixels.subarray(i * SIDE * WIDTH, (i + 1) * SIDE * WIDTH));
    }
  }
  drawExamples(shown).save(join(out, 'examples.png'));
  writeFileSync(join(out, 'captioner.safetensors'), saveModule(model));
  const summary = {
    config: CAPTIONER,
    steps,
    batch: BATCH,
    trainSeconds: trained.seconds,
    trainImagesPerSecond: trained.itemsPerSecond,
    results,
    examples,
  };
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(
    `wrote ${join(out, 'captioner.safetensors')}, ${join(out, 'examples.png')}, ${join(out, 'results.json')}`,
  );
  return results;
}

/** Number pictures one under the other. */
function drawExamples(pictures: Float32Array[]): Picture {
  const scale = 2;
  const gap = 4;
  const picture = new Picture(WIDTH * scale + 2 * gap, pictures.length * (SIDE * scale + gap) + gap);
  pictures.forEach((pixels, i) => {
    picture.draw(gap, gap + i * (SIDE * scale + gap), pixels, WIDTH, scale);
  });
  return picture;
}
