import type { Tensor } from '@proj/tensor';

/** PyTorch `nn.MultiheadAttention` parameter names → @proj/nn {@link MultiHeadAttention} names. */
const ATTENTION_NAMES: readonly [RegExp, string][] = [
  [/\.in_proj_weight$/, '.c_attn.weight'],
  [/\.in_proj_bias$/, '.c_attn.bias'],
  [/\.out_proj\.(weight|bias)$/, '.c_proj.$1'],
];

/** The same map read backwards: @proj/nn attention names → PyTorch's. */
const TORCH_NAMES: readonly [RegExp, string][] = [
  [/\.c_attn\.weight$/, '.in_proj_weight'],
  [/\.c_attn\.bias$/, '.in_proj_bias'],
  [/\.c_proj\.(weight|bias)$/, '.out_proj.$1'],
];

function rename(record: Record<string, Tensor>, names: readonly [RegExp, string][]): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(record).map(([name, t]) => [
      names.reduce((n, [pattern, to]) => n.replace(pattern, to), name),
      t,
    ]),
  );
}

/**
 * Renames a PyTorch state dict of `nn.Transformer` parts (`nn.TransformerEncoderLayer`,
 * `nn.TransformerDecoderLayer`, their stacks, or a model built from them) to this package's names.
 * Everything but attention is named as in PyTorch already (`linear1`, `norm2`, `multihead_attn`,
 * `layers.0`, …); inside attention, PyTorch's `in_proj_weight`/`in_proj_bias`/`out_proj` are
 * {@link MultiHeadAttention}'s `c_attn`/`c_proj` with the same layout (query, key, value rows).
 * The inverse is {@link toTorchTransformerStateDict}.
 * @example model.loadStateDict(fromTorchTransformerStateDict(loadSafetensors(bytes)))
 */
export function fromTorchTransformerStateDict(record: Record<string, Tensor>): Record<string, Tensor> {
  return rename(record, ATTENTION_NAMES);
}

/**
 * The inverse of {@link fromTorchTransformerStateDict}: the state dict of a {@link Transformer} (or
 * its encoder/decoder layers and stacks) under PyTorch's names, tensors shared as they are, so
 * `torch.nn.Transformer` parts load it with `load_state_dict` (e.g. after `saveSafetensors`). Meant
 * for those models: any `c_attn`/`c_proj` parameter is renamed.
 * @example writeFileSync('model.safetensors', saveSafetensors(toTorchTransformerStateDict(model.stateDict()), { format: 'pt' }))
 */
export function toTorchTransformerStateDict(record: Record<string, Tensor>): Record<string, Tensor> {
  return rename(record, TORCH_NAMES);
}
