import { beamSearch, greedyDecode } from '@proj/nn';
import { lengthSortedChunks, padRows, type SpecialIds } from './batches.js';
import type { AnyModel } from './models.js';

/** Options of {@link decodeAll}. */
export interface DecodeAllOptions {
  /** 1 decodes greedily; more runs beam search with this width. */
  beamSize: number;
  /** Sources per batch. */
  batchSize: number;
  /** Most tokens generated for a source of `n` tokens. */
  maxOutput: (sourceLength: number) => number;
}

/** Outputs of {@link decodeAll}, in the order of the sources. */
export interface DecodeAllResult {
  /** Generated ids of each source, without the end token. */
  outputs: number[][];
  seconds: number;
}

/**
 * Decodes every source (batches of similar length, eval mode): greedily, or by beam search with
 * length normalisation (α = 1), and times it.
 */
export function decodeAll(
  model: AnyModel,
  sources: readonly number[][],
  ids: SpecialIds,
  options: DecodeAllOptions,
): DecodeAllResult {
  model.eval();
  const outputs: number[][] = new Array(sources.length);
  const started = performance.now();
  for (const chunk of lengthSortedChunks(sources.length, options.batchSize, (i) => sources[i]!.length)) {
    const rows = chunk.map((i) => sources[i]!);
    const src = padRows(rows, ids.padId);
    const decode = { bos: ids.bosId, eos: ids.eosId, maxLength: options.maxOutput(src.shape[1]!) };
    const { tokens } =
      options.beamSize > 1
        ? beamSearch(model, src, { ...decode, beamSize: options.beamSize })
        : greedyDecode(model, src, decode);
    chunk.forEach((i, row) => {
      const out = tokens[row]!;
      outputs[i] = out.at(-1) === ids.eosId ? out.slice(0, -1) : out;
    });
  }
  return { outputs, seconds: (performance.now() - started) / 1000 };
}
