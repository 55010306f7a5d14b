import { GPT, generate, packWeights } from '@proj/nn';
import { Generator, randint } from '@proj/tensor';

const model = new GPT(
  { vocabSize: 98, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, bias: false },
  { generator: new Generator(0) },
).eval();
const prompt = randint(0, 98, [1, 32], { generator: new Generator(1) });
const packed = packWeights(model);
for (let i = 0; i < 5; i++) generate(model, prompt, { maxNewTokens: 32, temperature: 0 });
const t = performance.now();
for (let i = 0; i < 100; i++) generate(model, prompt, { maxNewTokens: 32, temperature: 0 });
console.log(((performance.now() - t) / 100 / 32).toFixed(3), 'ms/token incl prefill');
packed.release();
