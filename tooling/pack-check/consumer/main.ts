// A small program written from the package READMEs, compiled the way a consumer compiles it
// (skipLibCheck off, no DOM lib, the declared minimum TypeScript), then run against the tarballs.
import { matmul, variable } from '@proj/autograd';
import { GPT, generate } from '@proj/nn';
import { Generator, randn, tensor } from '@proj/tensor';
import { shapeArb } from '@proj/tensor/testing';
import { BPETokenizer, CharTokenizer } from '@proj/tokenizers';
import {
  AdamW,
  cosineWithWarmup,
  decayParamGroups,
  pretrain,
  TokenDataset,
  type TrainEvent,
} from '@proj/train';

// @proj/tensor: batched matmul and softmax.
const generator = new Generator(1337);
const logits = matmul(randn([2, 3, 4], { generator }), randn([4, 5], { generator }));
const rowSums = logits.softmax(-1).sum(-1);

// @proj/autograd: fit y = 2x + 1 with plain gradient descent.
const x = randn([64, 1], { generator });
const y = x.mul(2).add(1);
const w = variable(tensor([[0]]), { requiresGrad: true });
const b = variable(tensor([0]), { requiresGrad: true });
for (let step = 0; step < 100; step++) {
  matmul(x, w).add(b).sub(y).square().mean().backward();
  for (const p of [w, b]) {
    p.data = p.data.sub(p.grad!.mul(0.1));
    p.zeroGrad();
  }
}

// @proj/tokenizers, @proj/nn and @proj/train: a few steps of a tiny GPT, then greedy decoding.
const text = 'To be, or not to be, that is the question. '.repeat(20);
const tok = CharTokenizer.fromCorpus(text);
const bpe = BPETokenizer.train([text], { vocabSize: 300 });
const { train, val } = new TokenDataset(Uint16Array.from(tok.encode(text))).split(0.9);
const config = { vocabSize: tok.vocabSize, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, bias: false };
const model = new GPT(config, { generator });
const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1), { lr: 1e-2 });
const schedule = cosineWithWarmup({ lr: 1e-2, minLr: 1e-3, warmupIters: 2, lrDecayIters: 20 });
const valLosses: number[] = [];
const onEvent = (event: TrainEvent) => {
  if (event.type === 'eval') valLosses.push(event.valLoss);
};
const loop = { batchSize: 4, blockSize: 16, maxIters: 20, evalInterval: 10, evalIters: 2, schedule, onEvent };
await pretrain({ model, optimizer, train, val, generator, ...loop });
const sample = generate(model.eval(), tok.encode('To be'), { maxNewTokens: 8, temperature: 0 });

/** What the test reads after running the compiled program. */
export const summary = {
  rowSums: rowSums.toArray(),
  line: [w.item(), b.item()],
  bpeRoundTrips: bpe.decode(bpe.encode(text)) === text,
  valLosses,
  sample: tok.decode(Array.from(sample.data())),
  testingHelpers: typeof shapeArb,
};
