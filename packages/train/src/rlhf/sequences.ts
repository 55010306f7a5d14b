import { IGNORE_INDEX } from '@proj/nn';
import { Tensor } from '@proj/tensor';

/**
 * Prompts and their completions as one right-padded batch, laid out for next-token scoring:
 * position `t` predicts token `t + 1`, so a completion of `C` tokens after a prompt of `P` is
 * predicted at positions `P − 1 … P + C − 2`.
 */
export interface SequenceBatch {
  /** Prompt and completion ids, right-padded, int32 `[N, L]`. */
  ids: Tensor;
  /** The next completion token at each position that predicts one, `IGNORE_INDEX` elsewhere, int32 `[N, L]`. */
  targets: Tensor;
  /** 1 where `targets` holds a completion token, else 0, float32 `[N, L]`. */
  mask: Tensor;
  /** Prompt and completion tokens of each row (the rest is padding). */
  lengths: number[];
  /** Prompt tokens of each row. */
  promptLengths: number[];
}

/**
 * Lays prompts and completions out as a {@link SequenceBatch} (padding with `padId`).
 * @throws RangeError for an empty prompt or completion, or a row longer than `maxLength`.
 */
export function sequenceBatch(
  prompts: readonly (readonly number[])[],
  completions: readonly (readonly number[])[],
  options: { padId?: number; maxLength?: number } = {},
): SequenceBatch {
  if (prompts.length !== completions.length)
    throw new RangeError(`sequenceBatch: ${prompts.length} prompts but ${completions.length} completions`);
  const rows = prompts.map((prompt, i) => {
    const completion = completions[i]!;
    if (prompt.length === 0 || completion.length === 0)
      throw new RangeError(
        `sequenceBatch: row ${i} has an empty ${prompt.length === 0 ? 'prompt' : 'completion'}`,
      );
    const trained = new Uint8Array(prompt.length + completion.length).fill(1, prompt.length);
    return { ids: [...prompt, ...completion], trained };
  });
  return spanSequenceBatch(rows, options);
}

/**
 * Lays sequences out as a {@link SequenceBatch}, each with a 0/1 flag per token saying whether it
 * is learned (a completion token; as `SFTDataset.example` gives them). A row's prompt is the part
 * before its first learned token.
 * @throws RangeError for a row without a learned token after its first, or longer than `maxLength`.
 */
export function spanSequenceBatch(
  rows: readonly { ids: ArrayLike<number>; trained: ArrayLike<number> }[],
  options: { padId?: number; maxLength?: number } = {},
): SequenceBatch {
  const { padId = 0, maxLength = Number.POSITIVE_INFINITY } = options;
  const lengths = rows.map((row, i) => {
    if (row.ids.length > maxLength)
      throw new RangeError(
        `sequenceBatch: row ${i} holds ${row.ids.length} tokens, more than the context of ${maxLength}`,
      );
    return row.ids.length;
  });
  const N = rows.length;
  const L = Math.max(...lengths);
  const ids = new Int32Array(N * L).fill(padId);
  const targets = new Int32Array(N * L).fill(IGNORE_INDEX);
  const mask = new Float32Array(N * L);
  const promptLengths = rows.map((row, r) => {
    let first = -1;
    for (let t = 0; t < row.ids.length; t++) {
      ids[r * L + t] = row.ids[t]!;
      if (t > 0 && row.trained[t]) {
        targets[r * L + t - 1] = row.ids[t]!;
        mask[r * L + t - 1] = 1;
        if (first < 0) first = t;
      }
    }
    if (first < 0) throw new RangeError(`sequenceBatch: row ${r} has no learned token after its first`);
    return first;
  });
  return {
    ids: new Tensor(ids, [N, L]),
    targets: new Tensor(targets, [N, L]),
    mask: new Tensor(mask, [N, L]),
    lengths,
    promptLengths,
  };
}

/** The rows `rows` of a batch, as their own batch (the padding cut to the longest of them). */
export function selectRows(batch: SequenceBatch, rows: readonly number[]): SequenceBatch {
  const lengths = rows.map((r) => batch.lengths[r]!);
  const L = Math.max(...lengths);
  const pick = (t: Tensor) => selectTensorRows(t, rows, L);
  return {
    ids: pick(batch.ids),
    targets: pick(batch.targets),
    mask: pick(batch.mask),
    lengths,
    promptLengths: rows.map((r) => batch.promptLengths[r]!),
  };
}

/** The rows of a `[N, L]` tensor that {@link selectRows} picks, cut to the same width. */
export function selectTensorRows(t: Tensor, rows: readonly number[], width: number): Tensor {
  return t
    .indexSelect(0, new Tensor(Int32Array.from(rows), [rows.length]))
    .narrow(1, 0, width)
    .contiguous();
}
