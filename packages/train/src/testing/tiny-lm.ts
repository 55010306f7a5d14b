import { crossEntropy, type Variable } from '@proj/autograd';
import { Dropout, Embedding, LayerNorm, Linear, Module } from '@proj/nn';
import type { Generator, Tensor } from '@proj/tensor';

/**
 * A small next-token model for the loop's tests (embedding → layer norm → dropout → linear):
 * trains in milliseconds, has 1-d and 2-d parameters, and uses a generator for dropout.
 */
export class TinyLM extends Module {
  wte: Embedding;
  ln: LayerNorm;
  drop: Dropout;
  head: Linear;

  constructor(vocabSize: number, dim: number, generator: Generator, dropout = 0) {
    super();
    this.wte = new Embedding(vocabSize, dim, { generator });
    this.ln = new LayerNorm(dim);
    this.drop = new Dropout(dropout, generator);
    this.head = new Linear(dim, vocabSize, { generator });
  }

  forward(ids: Tensor, targets?: Tensor): { logits: Variable; loss?: Variable } {
    const logits = this.head.forward(this.drop.forward(this.ln.forward(this.wte.forward(ids))));
    return targets ? { logits, loss: crossEntropy(logits, targets) } : { logits };
  }
}
