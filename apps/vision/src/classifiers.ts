import { noGrad, type Variable } from '@proj/autograd';
import {
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  ViT,
  type ViTConfig,
} from '@proj/nn';
import { argmax, type Generator, type Tensor } from '@proj/tensor';
import { batchOf, type Digits } from './mnist.js';

/** A model from images `[B, 1, 28, 28]` to class logits `[B, 10]`. */
export type Classifier = Module & { forward(images: Tensor): Variable };

/**
 * LeNet-5 (LeCun et al., 1998) with ReLU and max pooling: conv 1→6 5×5 (padding 2), pool, conv 6→16
 * 5×5, pool, then 400→120→84→10. 61,706 parameters.
 */
export function lenet5(generator: Generator): Sequential {
  const layer = { generator };
  return new Sequential(
    new Conv2d(1, 6, 5, { ...layer, padding: 2 }), // (B, 6, 28, 28)
    new ReLU(),
    new MaxPool2d(2), // (B, 6, 14, 14)
    new Conv2d(6, 16, 5, layer), // (B, 16, 10, 10)
    new ReLU(),
    new MaxPool2d(2), // (B, 16, 5, 5)
    new Flatten(), // (B, 400)
    new Linear(400, 120, layer),
    new ReLU(),
    new Linear(120, 84, layer),
    new ReLU(),
    new Linear(84, 10, layer),
  );
}

/** The ViT matched to {@link lenet5}'s size: 4×4 patches (a 7×7 grid), 64 wide, 2 blocks of 4 heads (63,818 parameters). */
export const SMALL_VIT: ViTConfig = {
  imageSize: 28,
  patchSize: 4,
  inChannels: 1,
  numClasses: 10,
  dim: 64,
  depth: 2,
  heads: 4,
  mlpDim: 96,
};

/** A {@link ViT} of {@link SMALL_VIT}'s shape. */
export function smallViT(generator: Generator): ViT {
  return new ViT(SMALL_VIT, { generator });
}

/** Share of `digits` a classifier labels right, in evaluation mode, and the images it classifies per second. */
export function evaluate(
  model: Classifier,
  digits: Digits,
  batchSize = 500,
): { accuracy: number; imagesPerSecond: number } {
  model.eval();
  let correct = 0;
  let seconds = 0;
  for (let at = 0; at < digits.size; at += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, digits.size - at) }, (_, i) => at + i);
    const { images, labels } = batchOf(digits, indices);
    const start = performance.now();
    const predicted = noGrad(() => argmax(model.forward(images).data, -1));
    seconds += (performance.now() - start) / 1000;
    const p = predicted.data();
    const l = labels.data();
    for (let i = 0; i < p.length; i++) if (p[i] === l[i]) correct++;
  }
  model.train();
  return { accuracy: correct / digits.size, imagesPerSecond: digits.size / seconds };
}
