import { describe, expect, it } from 'vitest';
import { withinKL } from './reward-kl-svg.js';

describe('withinKL', () => {
  it('keeps the points up to the bound with their labels, in order', () => {
    const [bon, ppo] = withinKL(
      [
        {
          label: 'best-of-n',
          color: '#000',
          points: [
            [0, 1],
            [0.5, 2],
            [0.9, 3],
          ],
          pointLabels: ['n=1', 'n=2', 'n=4'],
        },
        {
          label: 'PPO',
          color: '#111',
          points: [
            [0.2, 1],
            [3, 9],
            [0.6, 2],
          ],
        },
      ],
      0.7,
    );
    expect(bon!.points).toEqual([
      [0, 1],
      [0.5, 2],
    ]);
    expect(bon!.pointLabels).toEqual(['n=1', 'n=2']);
    expect(ppo!.points).toEqual([
      [0.2, 1],
      [0.6, 2],
    ]);
    expect(ppo!.pointLabels).toBeUndefined();
  });
});
