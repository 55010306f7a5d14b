import { GPT, generate, packWeights } from '@proj/nn';
import { Generator, randint } from '@proj/tensor';
import { enableThreads } from '@proj/tensor/node';
const threads = Number(process.argv[2] ?? 1);
const dtype = (process.argv[3] ?? 'float32') as 'float32';
if (threads > 1) await enableThreads(threads);
const model = new GPT({ vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768, geluApproximate: 'tanh' }, { generator: new Generator(0) }).eval();
const prompt = randint(0, 50257, [1, 256], { generator: new Generator(1) });
const packed = packWeights(model, { dtype });
for (let rep = 0; rep < 2; rep++) {
  let t = performance.now();
  generate(model, prompt, { maxNewTokens: 1, temperature: 0 });
  const prefill = performance.now() - t;
  t = performance.now();
  generate(model, prompt, { maxNewTokens: 33, temperature: 0 });
  const total = performance.now() - t;
  console.log(`prefill ${prefill.toFixed(0)} ms, decode ${((total - prefill) / 32).toFixed(1)} ms/token`);
}
packed.release();
process.exit(0);
