import { Generator, randint } from '@proj/tensor';
import { bench, describe } from 'vitest';
import { GPT } from './gpt.js';

// One training step's forward + backward of nanoGPT's Shakespeare-char CPU config (vocab 65,
// block 64, 4 layers, 4 heads, 128 wide, no bias) at B = 12, T = 64. Run with `npx vitest bench`.
const model = new GPT(
  { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, bias: false },
  { generator: new Generator(0) },
);
const g = new Generator(1);
const ids = randint(0, 65, [12, 64], { generator: g });
const targets = randint(0, 65, [12, 64], { generator: g });

describe('GPT (Shakespeare-char config, B=12, T=64)', () => {
  bench('forward', () => {
    model.forward(ids, targets);
  });
  bench('forward + backward', () => {
    model.zeroGrad();
    model.forward(ids, targets).loss!.backward();
  });
});
