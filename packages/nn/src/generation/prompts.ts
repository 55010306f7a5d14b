import { DTypeError, ShapeError, type Tensor } from '@proj/tensor';

/** A batch of prompts as generation keeps it: rows of equal length, left-padded where they differ. */
export interface PromptBatch {
  /** Token ids per row (padding included), extended as tokens are generated. */
  rows: number[][];
  /** Per row, 1 for a real token and 0 for left padding; null when no row is padded. */
  real: number[][] | null;
}

/**
 * The prompts of `generate` as a batch: one prompt (`number[]`), prompts of any lengths
 * (`number[][]`, left-padded with `padTokenId` to the longest), or an int32 `[B, T]` tensor with an
 * optional Hugging Face `attentionMask` `[B, T]` (1 = token, 0 = left padding).
 * @throws ShapeError for an empty prompt or a mask of another shape; DTypeError for non-int32 ids or
 * a mask that is not bool/int32; RangeError for a mask that is not left padding.
 */
export function promptBatch(
  op: string,
  ids: Tensor | readonly number[] | readonly (readonly number[])[],
  padTokenId: number,
  attentionMask?: Tensor,
): PromptBatch {
  if (!('shape' in ids)) {
    const prompts =
      ids.length > 0 && Array.isArray(ids[0])
        ? (ids as readonly (readonly number[])[])
        : [ids as readonly number[]];
    prompts.forEach((p, b) => {
      if (p.length === 0)
        throw new ShapeError(`${op}: ${prompts.length > 1 ? `prompt ${b}` : 'the prompt'} is empty`);
    });
    if (attentionMask)
      throw new ShapeError(`${op}: attentionMask goes with an ids tensor; arrays of prompts are padded here`);
    const width = Math.max(...prompts.map((p) => p.length));
    const rows = prompts.map((p) => [...new Array<number>(width - p.length).fill(padTokenId), ...p]);
    const padded = prompts.some((p) => p.length < width);
    return { rows, real: padded ? prompts.map((p) => rowMask(width - p.length, width)) : null };
  }
  if (ids.dtype !== 'int32') throw new DTypeError(`${op}: ids must be int32, got ${ids.dtype}`);
  if (ids.ndim !== 2 || ids.shape[1] === 0)
    throw new ShapeError(`${op}: ids must be [B, T] with T > 0, got [${ids.shape.join(', ')}]`);
  const rows = ids.toArray() as number[][];
  if (!attentionMask) return { rows, real: null };
  if (attentionMask.dtype !== 'int32' && attentionMask.dtype !== 'bool')
    throw new DTypeError(`${op}: attentionMask must be bool or int32, got ${attentionMask.dtype}`);
  if (
    attentionMask.ndim !== 2 ||
    attentionMask.shape[0] !== ids.shape[0] ||
    attentionMask.shape[1] !== ids.shape[1]
  )
    throw new ShapeError(
      `${op}: attentionMask [${attentionMask.shape.join(', ')}] must match ids [${ids.shape.join(', ')}]`,
    );
  const real = (attentionMask.to('int32').toArray() as number[][]).map((row, b) => {
    const pad = row.indexOf(1);
    if (pad < 0 || row.some((v, j) => v !== (j < pad ? 0 : 1)))
      throw new RangeError(
        `${op}: attentionMask row ${b} must be left padding (zeros, then ones, at least one), got [${row.join(', ')}]`,
      );
    return row;
  });
  return { rows, real: real.some((row) => row[0] === 0) ? real : null };
}

/** `pad` zeros then ones, `width` in all. */
function rowMask(pad: number, width: number): number[] {
  return Array.from({ length: width }, (_, j) => (j < pad ? 0 : 1));
}
