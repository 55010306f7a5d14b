import { crossEntropy, Variable } from '@proj/autograd';
import { tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import fixture from '../../fixtures/vision.json';
import type { Module } from '../module.js';
import { type FixtureTensor, fromFixture, maxAbsDiff, stateDictFromFixture } from '../rnn/fixture-tensors.js';
import { ReLU, Sequential } from './activation.js';
import { BatchNorm2d } from './batch-norm.js';
import { Conv2d } from './conv.js';
import { Flatten } from './flatten.js';
import { Linear } from './linear.js';
import { AvgPool2d, MaxPool2d } from './pooling.js';

// Fixture written by tooling/fixtures/vision_fixture.py from torch 1.13 (float32).
const TOLERANCE = 2e-5;

/** The modules tooling/fixtures/vision_fixture.py builds, by case name. */
const LAYERS: Record<string, () => Module & { forward(x: Variable): Variable }> = {
  conv: () => new Conv2d(3, 4, 3),
  'conv-groups-dilation': () =>
    new Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }),
  'conv-same-uneven': () => new Conv2d(2, 3, 4, { padding: 'same', bias: false }),
  'conv-same-dilated': () => new Conv2d(2, 3, 3, { padding: 'same', dilation: 2 }),
  'conv-depthwise-valid': () => new Conv2d(3, 3, 3, { groups: 3, padding: 'valid' }),
  'conv-patches': () => new Conv2d(1, 8, 7, { stride: 7 }),
  'conv-unbatched': () => new Conv2d(2, 3, 2, { stride: 2, padding: 1 }),
  'max-pool': () => new MaxPool2d(2),
  'max-pool-overlapping-ceil': () => new MaxPool2d(3, { stride: 2, padding: 1, dilation: 1, ceilMode: true }),
  'avg-pool': () => new AvgPool2d(2),
  'avg-pool-exclude-pad-ceil': () =>
    new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
};

const leaf = (f: FixtureTensor) => new Variable(fromFixture(f), { requiresGrad: true });
const within = (errors: Record<string, number>) =>
  expect(Object.entries(errors).filter(([, e]) => !(e <= TOLERANCE))).toEqual([]);

/** Every parameter gradient of `module` against the fixture's. */
function gradientErrors(module: Module, grads: Record<string, FixtureTensor>): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const [name, p] of module.namedParameters())
    errors[`grad ${name}`] = maxAbsDiff(p.grad!, fromFixture(grads[name]!));
  expect(Object.keys(errors).sort()).toEqual(
    Object.keys(grads)
      .map((k) => `grad ${k}`)
      .sort(),
  );
  return errors;
}

describe('Conv2d, MaxPool2d and AvgPool2d match torch.nn: outputs and gradients', () => {
  for (const c of fixture.layers) {
    it(c.name, () => {
      const module = LAYERS[c.name]!();
      module.loadStateDict(stateDictFromFixture(c.state_dict as Record<string, FixtureTensor>));
      const x = leaf(c.input);
      const out = module.forward(x);
      out.mul(fromFixture(c.r)).sum().backward();
      within({
        output: maxAbsDiff(out.data, fromFixture(c.output)),
        'grad input': maxAbsDiff(x.grad!, fromFixture(c.grad_input)),
        ...gradientErrors(module, c.grad_params as Record<string, FixtureTensor>),
      });
    });
  }
});

describe('BatchNorm2d matches torch.nn.BatchNorm2d', () => {
  for (const c of fixture.batchNorm) {
    it(`${c.name}: two training steps (outputs, gradients, running statistics), then eval`, () => {
      const bn = new BatchNorm2d(c.numFeatures, { momentum: c.momentum, affine: c.affine, eps: c.eps });
      bn.loadStateDict(stateDictFromFixture(c.state_dict as Record<string, FixtureTensor>));
      for (const step of c.train) {
        bn.zeroGrad();
        const x = leaf(step.input);
        const out = bn.forward(x);
        out.mul(fromFixture(step.r)).sum().backward();
        within({
          output: maxAbsDiff(out.data, fromFixture(step.output)),
          'grad input': maxAbsDiff(x.grad!, fromFixture(step.grad_input)),
          ...gradientErrors(bn, step.grad_params as Record<string, FixtureTensor>),
          running_mean: maxAbsDiff(bn.running_mean!.data, fromFixture(step.running_mean)),
          running_var: maxAbsDiff(bn.running_var!.data, fromFixture(step.running_var)),
        });
        expect(bn.num_batches_tracked!.data.dtype).toBe('int32');
        expect(bn.num_batches_tracked!.data.item()).toBe(step.num_batches_tracked);
      }
      bn.eval();
      const out = bn.forward(fromFixture(c.eval.input));
      within({ eval: maxAbsDiff(out.data, fromFixture(c.eval.output)) });
    });
  }

  it('names the expected input in its errors', () => {
    const bn = new BatchNorm2d(3);
    expect(() => bn.forward(tensor(0).expand([2, 4, 2, 2]))).toThrow(
      'BatchNorm2d: expected input [N, 3, H, W], got [2, 4, 2, 2]',
    );
    expect(() => bn.forward(tensor(0).expand([1, 3, 1, 1]))).toThrow(
      'batchNorm: expected more than 1 value per channel when training, got input [1, 3, 1, 1]',
    );
  });

  it('without running statistics normalises by the batch in eval mode too, and saves no buffers', () => {
    const bn = new BatchNorm2d(2, { trackRunningStats: false }).eval();
    const x = tensor([1, 2, 3, 4, 10, 20, 30, 40]).reshape([2, 2, 1, 2]);
    const out = bn.forward(x).data;
    for (const m of out.mean([0, 2, 3]).data()) expect(m).toBeCloseTo(0, 6);
    for (const v of out.var([0, 2, 3], { correction: 0 }).data()) expect(v).toBeCloseTo(1, 4);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias']);
  });
});

describe('a LeNet-like nn.Sequential state dict (BatchNorm buffers included) loads and trains as in PyTorch', () => {
  const lenet = () =>
    new Sequential(
      new Conv2d(1, 6, 5),
      new BatchNorm2d(6),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(6, 16, 5),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(256, 16),
      new ReLU(),
      new Linear(16, 10),
    );
  const c = fixture.lenet;

  it('state dict keys are PyTorch', () => {
    expect(Object.keys(lenet().stateDict()).sort()).toEqual(Object.keys(c.state_dict).sort());
  });

  it('training-mode logits, cross-entropy gradients and running statistics; eval-mode logits', () => {
    const model = lenet();
    model.loadStateDict(stateDictFromFixture(c.state_dict as Record<string, FixtureTensor>));
    const x = leaf(c.input);
    const logits = model.forward(x);
    crossEntropy(logits, tensor(c.targets, { dtype: 'int32' })).backward();
    const bn = model.namedChildren()[1]![1] as BatchNorm2d;
    within({
      logits: maxAbsDiff(logits.data, fromFixture(c.logits)),
      'grad input': maxAbsDiff(x.grad!, fromFixture(c.grad_input)),
      ...gradientErrors(model, c.grad_params as Record<string, FixtureTensor>),
      running_mean: maxAbsDiff(bn.running_mean!.data, fromFixture(c.running_mean)),
      running_var: maxAbsDiff(bn.running_var!.data, fromFixture(c.running_var)),
    });
    expect(bn.num_batches_tracked!.data.item()).toBe(6);
    model.eval();
    within({ 'eval logits': maxAbsDiff(model.forward(x.data).data, fromFixture(c.eval_logits)) });
  });
});
