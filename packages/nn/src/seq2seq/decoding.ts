import { noGrad } from '@proj/autograd';
import { full, logSoftmax, type Tensor, tensor } from '@proj/tensor';
import type { Seq2SeqModel, Seq2SeqState } from './seq2seq-model.js';

/** Options of {@link greedyDecode} and {@link beamSearch}. */
export interface DecodeOptions {
  /** Token fed first (beginning of sequence). */
  bos: number;
  /** Token that ends a hypothesis (kept as its last token). */
  eos: number;
  /** Most tokens generated per row, EOS included (default 50). */
  maxLength?: number;
}

/** Options of {@link beamSearch}. */
export interface BeamSearchOptions extends DecodeOptions {
  /** Hypotheses kept per source row (default 4); 1 is greedy decoding. */
  beamSize?: number;
  /**
   * Exponent α of the length normalisation `score = logProb / length^α` used to rank finished
   * hypotheses (default 1, as fairseq and Hugging Face; 0 ranks by total log-probability, larger
   * values favour longer outputs).
   */
  lengthPenalty?: number;
}

/** What {@link greedyDecode} returns. */
export interface DecodeResult {
  /** The generated ids of each source row, without BOS, ending with EOS when one was produced. */
  tokens: number[][];
  /** Total log-probability of each row's tokens under the model. */
  logProbs: number[];
}

/** A finished beam-search hypothesis. */
export interface Hypothesis {
  tokens: number[];
  logProb: number;
  /** `logProb / length^lengthPenalty`, what beam search ranks by. */
  score: number;
}

/** What {@link beamSearch} returns: the best hypothesis of each row, and the runners-up. */
export interface BeamSearchResult extends DecodeResult {
  /** Length-normalised score of each row's best hypothesis. */
  scores: number[];
  /** The (at most `beamSize`) best finished hypotheses of each row, best first. */
  hypotheses: Hypothesis[][];
}

/**
 * Greedy decoding: encodes `src` once, then feeds the most likely token back at each step (with the
 * model's incremental state) until every row has produced EOS or `maxLength` tokens. Runs without
 * recording a graph; put the model in `eval()` mode first so dropout is off.
 *
 * Shapes: int32 `src` `[B, S]`.
 * @example const { tokens } = greedyDecode(model.eval(), src, { bos: 1, eos: 2, maxLength: 20 });
 */
export function greedyDecode<S extends Seq2SeqState>(
  model: Seq2SeqModel<S>,
  src: Tensor,
  options: DecodeOptions,
): DecodeResult {
  const { bos, eos, maxLength = 50 } = options;
  return noGrad(() => {
    const B = src.shape[0]!;
    let state = model.encode(src);
    let input = full([B], bos, { dtype: 'int32' });
    const tokens: number[][] = Array.from({ length: B }, () => []);
    const logProbs = new Array<number>(B).fill(0);
    const done = new Array<boolean>(B).fill(false);
    for (let step = 0; step < maxLength && done.includes(false); step++) {
      const out = model.decodeStep(state, input);
      state = out.state;
      const logp = logSoftmax(out.logits.data, -1).data();
      const V = out.logits.shape[1]!;
      const next = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        if (done[b]) {
          next[b] = eos;
          continue;
        }
        let best = 0;
        for (let v = 1; v < V; v++) if (logp[b * V + v]! > logp[b * V + best]!) best = v;
        next[b] = best;
        tokens[b]!.push(best);
        logProbs[b]! += logp[b * V + best]!;
        if (best === eos) done[b] = true;
      }
      input = tensor(next);
    }
    return { tokens, logProbs };
  });
}

/** A live or candidate hypothesis during the search. */
interface Beam {
  tokens: number[];
  logProb: number;
  /** Row of the decoding state it continues. */
  row: number;
}

/**
 * Beam search: keeps the `beamSize` most probable partial outputs of each source row, extending all
 * of them one token per step through the model's incremental state (rows reordered with
 * {@link Seq2SeqState.select}). A candidate ending in EOS that ranks among the top `beamSize` is
 * finished, and each row keeps its `beamSize` best finished hypotheses by length-normalised score.
 * A row stops once it has `beamSize` of them and its best live hypothesis could no longer beat the
 * worst (its log-probability normalised at its next length: exact for α = 0, Hugging Face's
 * `early_stopping=False` rule for α > 0), or at `maxLength`, when the live ones count as finished.
 * The answer is the best finished hypothesis. With `beamSize` 1 this is exactly {@link greedyDecode}.
 *
 * Shapes: int32 `src` `[B, S]`.
 * @example const { tokens, scores } = beamSearch(model.eval(), src, { bos: 1, eos: 2, beamSize: 5, lengthPenalty: 0.6 });
 */
export function beamSearch<S extends Seq2SeqState>(
  model: Seq2SeqModel<S>,
  src: Tensor,
  options: BeamSearchOptions,
): BeamSearchResult {
  const { bos, eos, maxLength = 50, beamSize: K = 4, lengthPenalty = 1 } = options;
  if (!(Number.isInteger(K) && K >= 1))
    throw new RangeError(`beamSearch: beamSize must be a positive integer, got ${K}`);
  const score = (h: { tokens: number[]; logProb: number }) =>
    h.logProb / Math.max(1, h.tokens.length) ** lengthPenalty;
  return noGrad(() => {
    const B = src.shape[0]!;
    // Row b·K + k of the state holds beam k of source b; at first only beam 0 of each row is live.
    let state = model
      .encode(src)
      .select(tensor(Int32Array.from({ length: B * K }, (_, i) => Math.floor(i / K)))) as S;
    let live: Beam[][] = Array.from({ length: B }, (_, b) => [{ tokens: [], logProb: 0, row: b * K }]);
    const finished: Hypothesis[][] = Array.from({ length: B }, () => []);
    /** Adds a finished hypothesis to row `b`, keeping the `K` best by score, best first. */
    const finish = (b: number, h: { tokens: number[]; logProb: number }) => {
      const list = finished[b]!;
      list.push({ tokens: h.tokens, logProb: h.logProb, score: score(h) });
      list.sort((x, y) => y.score - x.score);
      if (list.length > K) list.pop();
    };
    /** Whether row `b` is done: `K` finished, and `best` (its best live beam) cannot beat the worst of them. */
    const done = (b: number, best: Beam | undefined) => {
      const list = finished[b]!;
      if (list.length < K) return false;
      return (
        !best || list.at(-1)!.score >= best.logProb / Math.max(1, best.tokens.length + 1) ** lengthPenalty
      );
    };
    for (let step = 0; step < maxLength && live.some((beams) => beams.length > 0); step++) {
      const input = new Int32Array(B * K).fill(eos);
      live.forEach((beams) => {
        for (const beam of beams) input[beam.row] = beam.tokens.length ? beam.tokens.at(-1)! : bos;
      });
      const out = model.decodeStep(state, tensor(input));
      state = out.state;
      const logp = logSoftmax(out.logits.data, -1).data();
      const V = out.logits.shape[1]!;
      const parents = Int32Array.from({ length: B * K }, (_, i) => i);
      live = live.map((beams, b) => {
        if (beams.length === 0) return beams;
        const candidates = topCandidates(beams, logp, V, 2 * K);
        const next: Beam[] = [];
        candidates.forEach((c, rank) => {
          if (c.tokens.at(-1) === eos) {
            if (rank < K) finish(b, c);
          } else if (next.length < K) {
            const row = b * K + next.length;
            parents[row] = c.row;
            next.push({ ...c, row });
          }
        });
        return done(b, next[0]) ? [] : next;
      });
      state = state.select(tensor(parents)) as S;
    }
    live.forEach((beams, b) => {
      for (const beam of beams) finish(b, beam);
    });
    const hypotheses = finished;
    return {
      tokens: hypotheses.map((hs) => hs[0]!.tokens),
      logProbs: hypotheses.map((hs) => hs[0]!.logProb),
      scores: hypotheses.map((hs) => hs[0]!.score),
      hypotheses,
    };
  });
}

/**
 * The `n` best one-token extensions of `beams` (by total log-probability, ties to the earlier beam
 * and the smaller token id); each keeps the row of its parent beam.
 */
function topCandidates(beams: readonly Beam[], logp: ArrayLike<number>, V: number, n: number): Beam[] {
  const best: { logProb: number; beam: Beam; token: number }[] = [];
  for (const beam of beams) {
    for (let v = 0; v < V; v++) {
      const lp = beam.logProb + logp[beam.row * V + v]!;
      if (best.length === n && !(lp > best[n - 1]!.logProb)) continue;
      let i = best.length;
      while (i > 0 && lp > best[i - 1]!.logProb) i--;
      best.splice(i, 0, { logProb: lp, beam, token: v });
      if (best.length > n) best.pop();
    }
  }
  return best.map((c) => ({ tokens: [...c.beam.tokens, c.token], logProb: c.logProb, row: c.beam.row }));
}
