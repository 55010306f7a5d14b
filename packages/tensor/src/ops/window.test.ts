import { describe, expect, it } from 'vitest';
import fixture from '../../fixtures/window.json';
import { DTypeError, ShapeError } from '../errors.js';
import { maxAbsDiff } from '../testing/index.js';
import { arange, tensor } from './creation.js';
import { avgPool2d, maxPool2d, maxPool2dWithIndices } from './pool.js';
import { fold, type Size2d, unfold, windowGeometry } from './window.js';

// Fixture written by tooling/fixtures/vision_fixture.py from torch 1.13 (float32).
interface FixtureTensor {
  shape: number[];
  data: number[];
}
const t = (f: FixtureTensor) => tensor(f.data, { shape: f.shape });
type TorchOptions = Record<string, unknown>;

/** PyTorch's snake_case options as ours. */
function options(o: TorchOptions) {
  return {
    stride: o.stride as Size2d | undefined,
    padding: o.padding as Size2d | undefined,
    dilation: o.dilation as Size2d | undefined,
    ceilMode: o.ceil_mode as boolean | undefined,
    countIncludePad: o.count_include_pad as boolean | undefined,
    divisorOverride: o.divisor_override as number | undefined,
  };
}

describe('unfold and fold match F.unfold and F.fold', () => {
  for (const c of fixture.unfold) {
    const label = `[${c.shape}] kernel ${JSON.stringify(c.kernel)} ${JSON.stringify(c.options)}`;
    it(label, () => {
      const kernel = c.kernel as Size2d;
      const cols = unfold(t(c.x), kernel, options(c.options));
      expect(cols.shape).toEqual(c.cols.shape);
      expect(maxAbsDiff(cols, t(c.cols))).toBe(0);
      const folded = fold(t(c.foldInput), [c.shape[2]!, c.shape[3]!], kernel, options(c.options));
      expect(folded.shape).toEqual(c.folded.shape);
      expect(maxAbsDiff(folded, t(c.folded))).toBeLessThan(1e-6);
    });
  }

  it('take an unbatched image [C, H, W] (and columns [C·k·k, L]) as PyTorch 2', () => {
    const x = arange(2 * 4 * 4)
      .to('float32')
      .reshape([2, 4, 4]);
    const cols = unfold(x, 2, { stride: 2 });
    expect(cols.shape).toEqual([8, 4]);
    expect(cols.toArray()).toEqual(unfold(x.unsqueeze(0), 2, { stride: 2 }).squeeze(0).toArray());
    expect(fold(cols, 4, 2, { stride: 2 }).toArray()).toEqual(x.toArray());
  });

  it('name the op, the shapes and the sizes in their errors', () => {
    const x = tensor(0).expand([1, 2, 3, 3]);
    expect(() => unfold(x, 4)).toThrow(ShapeError);
    expect(() => unfold(x, 4)).toThrow('unfold: input [1, 2, 3, 3] is too small for kernel 4x4');
    expect(() => unfold(x.reshape([2, 9]), 2)).toThrow(
      'unfold: input must be [N, C, H, W] or [C, H, W], got [2, 9]',
    );
    expect(() => unfold(x, 0)).toThrow('unfold: kernelSize must be integers >= 1, got 0');
    expect(() => unfold(x, 2, { stride: [1, 0] })).toThrow('unfold: stride must be integers >= 1, got [1,0]');
    expect(() => unfold(x.to('int32'), 2)).toThrow(DTypeError);
    expect(() => fold(tensor(0).expand([1, 7, 4]), 3, 2)).toThrow(
      'fold: input [1, 7, 4] must have a multiple of kernel 2x2 = 4 rows',
    );
    expect(() => fold(tensor(0).expand([1, 8, 5]), 3, 2)).toThrow(
      'fold: input [1, 8, 5] has 5 columns, but output 3x3 has 2x2 = 4 windows',
    );
  });
});

describe('maxPool2d matches F.max_pool2d (values and indices)', () => {
  for (const c of fixture.maxPool) {
    it(`[${c.x.shape}] kernel ${JSON.stringify(c.kernel)} ${JSON.stringify(c.options)}`, () => {
      const { values, indices } = maxPool2dWithIndices(t(c.x), c.kernel as Size2d, options(c.options));
      expect(values.shape).toEqual(c.values.shape);
      expect(maxAbsDiff(values, t(c.values))).toBe(0);
      expect(indices.dtype).toBe('int32');
      expect(Array.from(indices.data())).toEqual(c.indices.data);
      expect(maxPool2d(t(c.x), c.kernel as Size2d, options(c.options)).toArray()).toEqual(values.toArray());
    });
  }

  it('propagates NaN, ignores −∞ padding and keeps float64', () => {
    const x = tensor(
      [
        [
          [
            [1, Number.NaN],
            [3, 2],
          ],
        ],
      ],
      { dtype: 'float64' },
    );
    const { values, indices } = maxPool2dWithIndices(x, 2);
    expect(values.dtype).toBe('float64');
    expect(Number.isNaN(values.item())).toBe(true);
    expect(indices.item()).toBe(1);
    const negative = tensor([
      [
        [
          [-5, -6],
          [-7, -8],
        ],
      ],
    ]);
    expect(maxPool2d(negative, 2, { stride: 1, padding: 1 }).toArray()).toEqual([
      [
        [
          [-5, -5, -6],
          [-5, -5, -6],
          [-7, -7, -8],
        ],
      ],
    ]);
  });

  it('gives a window with no image element (dilated across the padding) −∞ and index −1', () => {
    const { values, indices } = maxPool2dWithIndices(tensor([[[[2]]]]), 2, {
      stride: 1,
      padding: 1,
      dilation: 2,
    });
    expect(values.toArray()).toEqual([[[[Number.NEGATIVE_INFINITY]]]]);
    expect(indices.toArray()).toEqual([[[[-1]]]]);
  });

  it('rejects padding over half the kernel, naming the sizes', () => {
    expect(() => maxPool2d(tensor(0).expand([1, 1, 5, 5]), 2, { padding: 2 })).toThrow(
      'maxPool2d: padding 2x2 must be at most half of kernel 2x2',
    );
  });
});

describe('avgPool2d matches F.avg_pool2d', () => {
  for (const c of fixture.avgPool) {
    it(`[${c.x.shape}] kernel ${JSON.stringify(c.kernel)} ${JSON.stringify(c.options)}`, () => {
      const values = avgPool2d(t(c.x), c.kernel as Size2d, options(c.options));
      expect(values.shape).toEqual(c.values.shape);
      expect(maxAbsDiff(values, t(c.values))).toBeLessThan(1e-6);
    });
  }

  it('rejects a divisorOverride that is not a positive integer', () => {
    expect(() => avgPool2d(tensor(0).expand([1, 1, 4, 4]), 2, { divisorOverride: 0 })).toThrow(
      'avgPool2d: divisorOverride must be a positive integer, got 0',
    );
  });
});

describe('windowGeometry', () => {
  it('counts windows as PyTorch, ceil mode dropping a last window that starts in the right padding', () => {
    const g = (h: number, o: Parameters<typeof windowGeometry>[3]) =>
      windowGeometry('pool', [1, 1, h, h], 3, o).outHeight;
    expect(g(7, { stride: 2 })).toBe(3);
    expect(g(8, { stride: 2 })).toBe(3);
    expect(g(8, { stride: 2, ceilMode: true })).toBe(4);
    // a second window would start at (2 − 1)·3 = 3 ≥ H + pad = 3, in the right padding
    expect(windowGeometry('pool', [1, 1, 2, 2], 2, { stride: 3, padding: 1, ceilMode: true }).outHeight).toBe(
      1,
    );
    expect(g(5, { dilation: 2 })).toBe(1);
  });
});
