import { Variable } from '@proj/autograd';
import { Tensor, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gae, groupAdvantages, tokenRewards } from './advantages.js';
import fixture from './fixtures/torch-rlhf.json' with { type: 'json' };
import { grpoLoss } from './grpo-loss.js';
import { AdaptiveKLController, klEstimate } from './kl.js';
import { logSigmoid, whiten } from './masked.js';
import { ppoLoss } from './ppo-loss.js';
import { bradleyTerryLoss, dpoLoss } from './preference-losses.js';

/** A float64 tensor of `values` with `shape`. */
const f64 = (values: number[], shape = [values.length]) => new Tensor(Float64Array.from(values), shape);
const leaf = (values: number[], shape?: number[]) => new Variable(f64(values, shape), { requiresGrad: true });
const flat = (t: Tensor) => Array.from(t.contiguous().data());

function expectClose(actual: number[] | number, expected: number[] | number, tolerance = 1e-10) {
  const a = typeof actual === 'number' ? [actual] : actual;
  const e = typeof expected === 'number' ? [expected] : expected;
  expect(a).toHaveLength(e.length);
  a.forEach((x, i) => expect(Math.abs(x - e[i]!)).toBeLessThanOrEqual(tolerance * (1 + Math.abs(e[i]!))));
}

describe('RLHF losses against PyTorch (TRL formulas, float64)', () => {
  it("logSigmoid: PyTorch's values and gradient 1 − σ(x), also at 0 and far out", () => {
    const x = leaf([-800, -30, -1, 0, 2, 40, 800]);
    const y = logSigmoid(x);
    y.sum().backward();
    const sigma = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(flat(y.data), [
      -800,
      -30 - Math.log1p(Math.exp(-30)),
      -1.3132616875182228,
      -Math.LN2,
      -0.12692801104297263,
      -4.248354255291589e-18,
      0,
    ]);
    expectClose(flat(x.grad!), [1, 1 - sigma(-30), 1 - sigma(-1), 0.5, 1 - sigma(2), 1 - sigma(40), 0]);
  });

  it("the reward model's Bradley–Terry loss, with margins and centering", () => {
    for (const c of fixture.reward.cases) {
      const chosen = leaf(fixture.reward.chosen);
      const rejected = leaf(fixture.reward.rejected);
      const { loss, metrics } = bradleyTerryLoss(chosen, rejected, {
        margin: c.margin ?? undefined,
        centerRewardsCoefficient: c.centerRewardsCoefficient ?? undefined,
      });
      loss.backward();
      expectClose(loss.item(), c.loss);
      expectClose(flat(chosen.grad!), c.gradChosen);
      expectClose(flat(rejected.grad!), c.gradRejected);
      expectClose(metrics.accuracy!.item(), c.accuracy);
      expectClose(metrics.margin!.item(), c.meanMargin);
    }
  });

  it("DPO's sigmoid (with label smoothing) and IPO losses, and TRL's reward metrics", () => {
    const d = fixture.dpo;
    for (const c of d.cases) {
      const policyChosen = leaf(d.policyChosen);
      const policyRejected = leaf(d.policyRejected);
      const { loss, metrics } = dpoLoss(
        {
          policyChosen,
          policyRejected,
          referenceChosen: f64(d.referenceChosen),
          referenceRejected: f64(d.referenceRejected),
        },
        { beta: c.beta, lossType: c.lossType as 'sigmoid' | 'ipo', labelSmoothing: c.labelSmoothing },
      );
      loss.backward();
      expectClose(loss.item(), c.loss);
      expectClose(flat(policyChosen.grad!), c.gradChosen);
      expectClose(flat(policyRejected.grad!), c.gradRejected);
      for (const [name, value] of Object.entries(c.metrics)) expectClose(metrics[name]!.item(), value);
    }
  });

  it('DPO at its start (policy = reference): loss ln 2, gradient ∓β/2 per pair', () => {
    const d = fixture.dpo;
    const policyChosen = leaf(d.referenceChosen);
    const policyRejected = leaf(d.referenceRejected);
    const { loss } = dpoLoss({
      policyChosen,
      policyRejected,
      referenceChosen: f64(d.referenceChosen),
      referenceRejected: f64(d.referenceRejected),
    });
    loss.backward();
    expectClose(loss.item(), d.start.loss);
    expectClose(flat(policyChosen.grad!), d.start.gradChosen);
    expectClose(flat(policyRejected.grad!), d.start.gradRejected);
  });

  it("PPO's per-token rewards: −β·KL everywhere, the score at each response's last token", () => {
    const p = fixture.ppo;
    const { rewards, nonScoreRewards } = tokenRewards(
      p.scores,
      f64(p.logprobsOld, p.shape),
      f64(p.refLogprobs, p.shape),
      f64(p.mask, p.shape),
      { klCoef: p.klCoef },
    );
    expectClose(flat(rewards), p.rewards);
    expectClose(flat(nonScoreRewards), p.nonScoreRewards);
  });

  it('GAE (γ = 1, λ = 0.95, and γ = 0.9, λ = 1), whitened advantages, returns, and whitening without the shift', () => {
    const p = fixture.ppo;
    const mask = f64(p.mask, p.shape);
    const out = gae(f64(p.rewards, p.shape), f64(p.valuesOld, p.shape), mask);
    expectClose(flat(out.advantages), p.advantages);
    expectClose(flat(out.returns), p.returns);
    expectClose(flat(out.values), p.valuesMasked);
    const other = gae(f64(p.rewards, p.shape), f64(p.valuesOld, p.shape), mask, { gamma: 0.9, lambda: 1 });
    expectClose(flat(other.advantages), p.gamma09Lambda1.advantages);
    expectClose(flat(other.returns), p.gamma09Lambda1.returns);
    expectClose(flat(whiten(f64(p.valuesOld, p.shape), mask, { shiftMean: false })), p.whitenNoShift);
  });

  it("PPO's clipped policy and value losses, their gradients and TRL's stats", () => {
    const p = fixture.ppo;
    const logprobs = leaf(p.logprobs, p.shape);
    const values = leaf(p.vpreds, p.shape);
    const out = ppoLoss({
      logprobs,
      values,
      oldLogprobs: f64(p.logprobsOld, p.shape),
      oldValues: f64(p.valuesMasked, p.shape),
      advantages: f64(p.advantages, p.shape),
      returns: f64(p.returns, p.shape),
      mask: f64(p.mask, p.shape),
    });
    out.loss.backward();
    expectClose(out.policyLoss.item(), p.loss.policy);
    expectClose(out.valueLoss.item(), p.loss.value);
    expectClose(out.loss.item(), p.loss.total);
    expectClose(flat(logprobs.grad!), p.gradLogprobs);
    expectClose(flat(values.grad!), p.gradVpreds);
    for (const [name, value] of Object.entries(p.stats)) expectClose(out.stats[name]!, value);
  });

  it('the KL estimators k1, k2, k3 and their gradients', () => {
    for (const kind of ['k1', 'k2', 'k3'] as const) {
      const logp = leaf(fixture.kl.logprobs);
      const kl = klEstimate(logp, f64(fixture.kl.refLogprobs), kind);
      kl.sum().backward();
      expectClose(flat(kl.data), fixture.kl[kind].value);
      expectClose(flat(logp.grad!), fixture.kl[kind].grad);
    }
  });

  it("GRPO's group advantages (a group of equal rewards gets 0) and Dr. GRPO's unscaled ones", () => {
    const g = fixture.grpo;
    expectClose(groupAdvantages(g.rewards, g.groupSize), g.advantages);
    expectClose(groupAdvantages(g.rewards, g.groupSize, { scaleRewards: false }), g.unscaledAdvantages);
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(/3 rewards do not fill groups of 2/);
  });

  it("GRPO's loss: grpo and dapo aggregation, with and without the k3 penalty, clip-higher, gradients and clip ratios", () => {
    const g = fixture.grpo;
    for (const c of g.cases) {
      const logprobs = leaf(g.logprobs, g.shape);
      const { loss, metrics } = grpoLoss(
        {
          logprobs,
          oldLogprobs: f64(g.oldLogprobs, g.shape),
          refLogprobs: f64(g.refLogprobs, g.shape),
          advantages: g.advantages,
          mask: f64(g.mask, g.shape),
        },
        {
          beta: c.beta,
          lossType: c.lossType as 'grpo' | 'dapo',
          epsilon: c.epsilon,
          epsilonHigh: c.epsilonHigh,
        },
      );
      loss.backward();
      expectClose(loss.item(), c.loss);
      expectClose(flat(logprobs.grad!), c.grad);
      expectClose(metrics.kl!, c.kl);
      expectClose(metrics['clip_ratio/low_mean']!, c.clipRatio.low);
      expectClose(metrics['clip_ratio/high_mean']!, c.clipRatio.high);
      expectClose(metrics['clip_ratio/region_mean']!, c.clipRatio.region);
    }
  });

  it("the adaptive KL controller follows Ziegler et al.'s rule", () => {
    const a = fixture.adaptiveKL;
    const ctl = new AdaptiveKLController(a.init, a.target, a.horizon);
    const values = a.kls.map((kl) => {
      ctl.update(kl, a.nSteps);
      return ctl.value;
    });
    expectClose(values, a.values, 1e-14);
  });

  it('names bad inputs', () => {
    const x = leaf([1, 2]);
    expect(() => bradleyTerryLoss(x, x, { margin: [1] })).toThrow(/1 margins for 2 pairs/);
    expect(() =>
      dpoLoss(
        { policyChosen: x, policyRejected: x, referenceChosen: f64([0, 0]), referenceRejected: f64([0, 0]) },
        { beta: 0 },
      ),
    ).toThrow(/beta must be > 0/);
    expect(() =>
      tokenRewards([1], f64([0, 0], [1, 2]), f64([0, 0], [1, 2]), f64([0, 0], [1, 2]), { klCoef: 0.1 }),
    ).toThrow(/selects no token of sequence 0/);
    expect(() =>
      grpoLoss(
        {
          logprobs: leaf([0, 0], [1, 2]),
          oldLogprobs: f64([0, 0], [1, 2]),
          advantages: [1],
          mask: f64([1, 1], [1, 2]),
        },
        { beta: 0.1 },
      ),
    ).toThrow(/needs refLogprobs/);
    expect(() => whiten(tensor([1, 2]), tensor([1, 0]))).toThrow(/selects 1 entry/);
  });
});
