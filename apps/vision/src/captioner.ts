import { crossEntropy, noGrad, type Variable } from '@proj/autograd';
import {
  Embedding,
  init,
  LearnedPositionalEmbedding,
  Linear,
  Module,
  Parameter,
  PatchEmbedding,
  TransformerDecoder,
  TransformerEncoder,
} from '@proj/nn';
import { argmax, type Generator, type Tensor, tensor, zeros } from '@proj/tensor';

/** The shape of a {@link Captioner}. */
export interface CaptionerConfig {
  /** Image size `[H, W]`. */
  imageSize: [number, number];
  /** Patch size `[h, w]`. */
  patchSize: [number, number];
  /** Words in the output vocabulary, special tokens included. */
  vocabSize: number;
  /** Longest target sequence (BOS … EOS). */
  maxLength: number;
  dim: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  /** Hidden width of the feed-forward blocks. */
  feedforward: number;
}

/** Ids of the special tokens; words follow. */
export const PAD = 0;
export const BOS = 1;
export const EOS = 2;

/**
 * An image-to-text transformer: a ViT-style encoder (patch embedding, learned positions, pre-norm
 * {@link TransformerEncoder}) reads the image, and a pre-norm {@link TransformerDecoder} writes the
 * text one token at a time with causal self-attention and cross-attention to the image patches.
 *
 * Shapes: `images` `[B, 1, H, W]`, int32 `tgtIn` `[B, T]` → logits `[B, T, vocabSize]`.
 */
export class Captioner extends Module {
  patch_embed: PatchEmbedding;
  src_pos: Parameter;
  encoder: TransformerEncoder;
  tgt_embed: Embedding;
  tgt_pos: LearnedPositionalEmbedding;
  decoder: TransformerDecoder;
  lm_head: Linear;

  constructor(
    readonly config: CaptionerConfig,
    generator: Generator,
  ) {
    super();
    const c = config;
    const layer = { generator };
    this.patch_embed = new PatchEmbedding(c.imageSize, c.patchSize, 1, c.dim, layer);
    const positions = new Parameter(zeros([1, this.patch_embed.numPatches, c.dim]));
    this.src_pos = init.normal(positions, { generator, std: 0.02 });
    const stack = {
      generator,
      dimFeedforward: c.feedforward,
      dropout: 0,
      activation: 'gelu' as const,
      normFirst: true,
    };
    this.encoder = new TransformerEncoder(c.dim, c.heads, { ...stack, numLayers: c.encoderLayers });
    this.tgt_embed = new Embedding(c.vocabSize, c.dim, layer);
    this.tgt_pos = new LearnedPositionalEmbedding(c.maxLength, c.dim, layer);
    this.decoder = new TransformerDecoder(c.dim, c.heads, { ...stack, numLayers: c.decoderLayers });
    this.lm_head = new Linear(c.dim, c.vocabSize, layer);
  }

  /** The encoder's output over the patches: `[B, numPatches, dim]`. */
  encode(images: Tensor): Variable {
    return this.encoder.forward(this.patch_embed.forward(images).add(this.src_pos));
  }

  /** Next-token logits `[B, T, vocabSize]` for the target prefix `tgtIn` `[B, T]`. */
  decode(memory: Variable, tgtIn: Tensor): Variable {
    const x = this.tgt_embed.forward(tgtIn).add(this.tgt_pos.forward(tgtIn.shape[1]!));
    return this.lm_head.forward(this.decoder.forward(x, memory, { tgtKeyPaddingMask: tgtIn.eq(PAD) }));
  }

  /** Mean cross-entropy of `tgtOut` `[B, T]` (padding skipped) given the images and `tgtIn`. */
  loss(images: Tensor, tgtIn: Tensor, tgtOut: Tensor): Variable {
    const logits = this.decode(this.encode(images), tgtIn);
    return crossEntropy(logits.reshape([-1, this.config.vocabSize]), tgtOut.reshape([-1]), {
      ignoreIndex: PAD,
    });
  }

  /** Greedy decoding: each image's tokens up to (not including) EOS, at most `maxLength − 1`. */
  caption(images: Tensor): number[][] {
    return noGrad(() => {
      const memory = this.encode(images);
      const B = images.shape[0]!;
      const rows = Array.from({ length: B }, () => [BOS]);
      const done = new Array<boolean>(B).fill(false);
      for (let t = 1; t < this.config.maxLength && done.some((d) => !d); t++) {
        const logits = this.decode(memory, tensor(rows, { dtype: 'int32' })); // (B, t, V)
        const next = argmax(logits.data.select(1, t - 1), -1).data();
        rows.forEach((row, b) => {
          row.push(done[b] ? PAD : next[b]!);
          if (next[b] === EOS) done[b] = true;
        });
      }
      return rows.map((row) => {
        const end = row.indexOf(EOS);
        return row.slice(1, end === -1 ? undefined : end);
      });
    });
  }
}
