/**
 * The default `proj train` GPT written with TensorFlow.js ops, as a peer for the training benchmark:
 * pre-norm blocks with bias-free LayerNorm and Linear, learned positions, causal attention, exact
 * GELU, a head tied to the token embedding, softmax cross-entropy, global-norm clipping at 1 and
 * Adam with decoupled weight decay on matrices (AdamW).
 */
import type * as TF from '@tensorflow/tfjs-core';

/** The model shape (the CLI's defaults). */
export interface GPTShape {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  batchSize: number;
}

interface Layer {
  ln1: TF.Variable;
  qkv: TF.Variable;
  attnOut: TF.Variable;
  ln2: TF.Variable;
  fc: TF.Variable;
  mlpOut: TF.Variable;
}

/** A training step of the tfjs GPT; returns the loss. */
export type TfjsStep = (x: Int32Array, y: Int32Array) => number;

/** Builds the model and optimizer on the current tfjs backend and returns its training step. */
export function tfjsTrainer(tf: typeof TF, c: GPTShape, lr = 1e-3, weightDecay = 0.1): TfjsStep {
  const { nEmbd: C, nHead: H, blockSize: T, vocabSize: V, batchSize: B } = c;
  const normal = (shape: number[], std = 0.02) =>
    tf.variable(tf.randomNormal(shape, 0, std, 'float32', 1337));
  const residualStd = 0.02 / Math.sqrt(2 * c.nLayer);
  const wte = normal([V, C]);
  const wpe = normal([T, C]);
  const layers: Layer[] = Array.from({ length: c.nLayer }, () => ({
    ln1: tf.variable(tf.ones([C])),
    qkv: normal([C, 3 * C]),
    attnOut: normal([C, C], residualStd),
    ln2: tf.variable(tf.ones([C])),
    fc: normal([C, 4 * C]),
    mlpOut: normal([4 * C, C], residualStd),
  }));
  const lnf = tf.variable(tf.ones([C]));
  const matrices = [wte, wpe, ...layers.flatMap((l) => [l.qkv, l.attnOut, l.fc, l.mlpOut])];
  const mask = tf.keep(tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9));
  const optimizer = tf.train.adam(lr, 0.9, 0.99, 1e-8);

  const norm = (x: TF.Tensor, g: TF.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g);
  };
  const gelu = (x: TF.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  const linear = (x: TF.Tensor, w: TF.Tensor, rows: number, width: number) =>
    tf.matMul(tf.reshape(x, [rows, width]) as TF.Tensor2D, w as TF.Tensor2D);

  const loss = (ids: TF.Tensor, targets: TF.Tensor): TF.Scalar => {
    // Token embeddings as one-hot · wte: tfjs-wasm has no gradient kernel for gather (UnsortedSegmentSum).
    const tok = tf.matMul(tf.oneHot(tf.reshape(ids, [-1]) as TF.Tensor1D, V), wte as TF.Tensor2D);
    let x = tf.add(tf.reshape(tok, [B, T, C]), wpe); // (B, T, C)
    for (const l of layers) {
      // (B·T, 3C) → (B, T, 3, H, hs) → (3, B, H, T, hs)
      const qkv = tf.transpose(
        tf.reshape(linear(norm(x, l.ln1), l.qkv, B * T, C), [B, T, 3, H, C / H]),
        [2, 0, 3, 1, 4],
      );
      const [q, k, v] = tf.unstack(qkv) as [TF.Tensor4D, TF.Tensor4D, TF.Tensor4D];
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(C / H)), mask));
      const y = tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]); // (B, T, H, hs)
      x = tf.add(x, tf.reshape(linear(y, l.attnOut, B * T, C), [B, T, C]));
      const m = gelu(linear(norm(x, l.ln2), l.fc, B * T, C));
      x = tf.add(x, tf.reshape(linear(m, l.mlpOut, B * T, 4 * C), [B, T, C]));
    }
    const h = tf.reshape(norm(x, lnf), [B * T, C]) as TF.Tensor2D;
    const logits = tf.matMul(h, wte as TF.Tensor2D, false, true); // (B·T, V)
    return tf.losses.softmaxCrossEntropy(
      tf.oneHot(tf.reshape(targets, [-1]) as TF.Tensor1D, V),
      logits,
    ) as TF.Scalar;
  };

  return (xIds, yIds) => {
    const value = tf.tidy(() => {
      const x = tf.tensor2d(xIds, [B, T], 'int32');
      const y = tf.tensor2d(yIds, [B, T], 'int32');
      const { value: l, grads } = tf.variableGrads(() => loss(x, y));
      const total = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(1, tf.div(1, tf.add(total, 1e-6)));
      const clipped = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.mul(g, scale)]));
      for (const w of matrices) w.assign(tf.mul(w, 1 - lr * weightDecay));
      optimizer.applyGradients(clipped);
      return l;
    });
    const out = value.dataSync()[0]!;
    value.dispose();
    return out;
  };
}
