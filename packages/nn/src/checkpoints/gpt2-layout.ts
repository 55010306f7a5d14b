import { readSafetensorsHeader } from '@proj/tensor';
import type { GPTConfig } from '../models/gpt.js';
import { StateDictError } from '../module.js';

/** Buffers of older checkpoints (the causal mask and the masked score), not parameters. */
const BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;
const BLOCK = /^h\.(\d+)\.(.+)$/;
/** Names listed per kind in an error before the rest is only counted. */
const LISTED = 12;

/** The tensors of a GPT-2 safetensors file, read from its header alone (no data is decoded). */
export interface GPT2Header {
  /** Shape (as the header states it) by name, without the `transformer.` prefix; buffers left out. */
  shapes: Map<string, unknown>;
  /** The file's own key of each name (`transformer.wte.weight` for `wte.weight`, …). */
  keys: Map<string, string>;
  /** Blocks `h.0` … `h.(n-1)` that have at least one tensor, counted up to the first gap. */
  layers: number;
}

/**
 * Reads the names and shapes of a GPT-2 checkpoint (`GPT2Model` or `GPT2LMHeadModel` keys) from
 * its safetensors header, so sizes can be checked before anything is allocated.
 * @throws SafetensorsError for a bad header; StateDictError for a name given with and without the prefix.
 */
export function readGPT2Header(bytes: Uint8Array): GPT2Header {
  const { header } = readSafetensorsHeader(bytes);
  const shapes = new Map<string, unknown>();
  const keys = new Map<string, string>();
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const name = key.startsWith('transformer.') ? key.slice('transformer.'.length) : key;
    if (BUFFER.test(name)) continue;
    if (keys.has(name))
      throw new StateDictError(`loadGPT2: ${keys.get(name)} and ${key} name the same tensor`);
    keys.set(name, key);
    shapes.set(name, (entry as { shape?: unknown } | null)?.shape);
  }
  const indices = new Set<string>();
  for (const name of shapes.keys()) {
    const index = BLOCK.exec(name)?.[1];
    if (index !== undefined) indices.add(index);
  }
  let layers = 0;
  while (indices.has(String(layers))) layers++;
  return { shapes, keys, layers };
}

/** `[weight, bias]` shapes of each part of a block (Conv1D weights `[in, out]`), for width C. */
const BLOCK_TENSORS: Record<string, (C: number) => [number[], number[]]> = {
  ln_1: (C) => [[C], [C]],
  'attn.c_attn': (C) => [[C, 3 * C], [3 * C]],
  'attn.c_proj': (C) => [[C, C], [C]],
  ln_2: (C) => [[C], [C]],
  'mlp.c_fc': (C) => [[C, 4 * C], [4 * C]],
  'mlp.c_proj': (C) => [[4 * C, C], [C]],
};
const BLOCK_PARTS = Object.keys(BLOCK_TENSORS).flatMap((kind) => [`${kind}.weight`, `${kind}.bias`]);
const BLOCK_PART = /^h\.(0|[1-9]\d*)\.(.+)\.(weight|bias)$/;

/**
 * The shape each GPT-2 tensor must have for `c` in the Hugging Face layout, by name; `undefined`
 * for a name the model does not have.
 */
function expectedShape(name: string, c: GPTConfig): readonly number[] | undefined {
  const { vocabSize, blockSize, nEmbd: C, nLayer, bias } = c;
  if (name === 'wte.weight' || name === 'lm_head.weight') return [vocabSize, C];
  if (name === 'wpe.weight') return [blockSize, C];
  if (name === 'ln_f.weight' || (bias && name === 'ln_f.bias')) return [C];
  const [, index, kind, part] = BLOCK_PART.exec(name) ?? [];
  const shapes = kind !== undefined && Object.hasOwn(BLOCK_TENSORS, kind) ? BLOCK_TENSORS[kind] : undefined;
  if (!shapes || Number(index) >= nLayer || (part === 'bias' && !bias)) return undefined;
  return shapes(C)[part === 'weight' ? 0 : 1];
}

/** Every name the model for `c` has, lazily (a config with many layers is not listed up front). */
function* expectedNames(c: GPTConfig, withHead: boolean): Generator<string> {
  yield 'wte.weight';
  yield 'wpe.weight';
  for (let i = 0; i < c.nLayer; i++) {
    for (const part of BLOCK_PARTS) if (c.bias || part.endsWith('.weight')) yield `h.${i}.${part}`;
  }
  yield 'ln_f.weight';
  if (c.bias) yield 'ln_f.bias';
  if (withHead) yield 'lm_head.weight';
}

function count(c: GPTConfig, withHead: boolean): number {
  const perLayer = c.bias ? BLOCK_PARTS.length : BLOCK_PARTS.length / 2;
  return 2 + c.nLayer * perLayer + (c.bias ? 2 : 1) + (withHead ? 1 : 0);
}

function listed(kind: string, names: readonly string[], total: number): string {
  const more = total - names.length;
  return `${kind}: ${names.join(', ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

const fmt = (shape: unknown) => (Array.isArray(shape) ? `[${shape.join(', ')}]` : JSON.stringify(shape));

/**
 * Checks a header against the model `c` describes: every tensor present, none extra, each of the
 * right shape. `lm_head.weight` is required when the head is untied and allowed otherwise.
 * @throws StateDictError listing the missing, unexpected and misshaped tensors (the first few of each).
 */
export function checkGPT2Header(header: GPT2Header, c: GPTConfig): void {
  const withHead = !c.tieWordEmbeddings;
  const unexpected: string[] = [];
  const misshaped: string[] = [];
  let unexpectedCount = 0;
  let misshapedCount = 0;
  let found = 0;
  for (const [name, shape] of header.shapes) {
    const expected = expectedShape(name, c);
    if (!expected) {
      if (unexpectedCount++ < LISTED) unexpected.push(name);
      continue;
    }
    if (name !== 'lm_head.weight' || withHead) found++;
    if (fmt(shape) !== fmt(expected) && misshapedCount++ < LISTED)
      misshaped.push(`${name}: expected ${fmt(expected)}, got ${fmt(shape)}`);
  }
  const missingCount = count(c, withHead) - found;
  const missing: string[] = [];
  if (missingCount > 0) {
    for (const name of expectedNames(c, withHead)) {
      if (!header.shapes.has(name)) missing.push(name);
      if (missing.length === Math.min(missingCount, LISTED)) break;
    }
  }
  const problems = [
    missingCount ? listed('missing keys', missing, missingCount) : '',
    unexpectedCount ? listed('unexpected keys', unexpected, unexpectedCount) : '',
    misshapedCount ? listed('misshaped keys', misshaped, misshapedCount) : '',
  ].filter(Boolean);
  if (problems.length) throw new StateDictError(`loadGPT2: ${problems.join('. ')}`);
}
