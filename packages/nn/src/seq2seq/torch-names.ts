import type { Tensor } from '@proj/tensor';

/** PyTorch `nn.MultiheadAttention` parameter names → @proj/nn {@link MultiHeadAttention} names. */
const ATTENTION_NAMES: readonly [RegExp, string][] = [
  [/\.in_proj_weight$/, '.c_attn.weight'],
  [/\.in_proj_bias$/, '.c_attn.bias'],
  [/\.out_proj\.(weight|bias)$/, '.c_proj.$1'],
];

/**
 * Renames a PyTorch state dict of `nn.Transformer` parts (`nn.TransformerEncoderLayer`,
 * `nn.TransformerDecoderLayer`, their stacks, or a model built from them) to this package's names.
 * Everything but attention is named as in PyTorch already (`linear1`, `norm2`, `multihead_attn`,
 * `layers.0`, …); inside attention, PyTorch's `in_proj_weight`/`in_proj_bias`/`out_proj` are
 * {@link MultiHeadAttention}'s `c_attn`/`c_proj` with the same layout (query, key, value rows).
 * @example model.loadStateDict(fromTorchTransformerStateDict(loadSafetensors(bytes)))
 */
export function fromTorchTransformerStateDict(record: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(record).map(([name, t]) => [
      ATTENTION_NAMES.reduce((n, [pattern, to]) => n.replace(pattern, to), name),
      t,
    ]),
  );
}
