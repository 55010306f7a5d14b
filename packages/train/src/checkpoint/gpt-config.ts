import { GPT_DEFAULTS, type GPTConfig } from '@proj/nn';
import { CheckpointError } from './errors.js';

/** Tensor shapes by name, as a safetensors header lists them. */
export type HeaderShapes = ReadonlyMap<string, readonly number[]>;

const INTEGER_FIELDS = ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const;

/**
 * Checks a checkpoint's `config.model` (a partial `GPTConfig`, completed with `GPT_DEFAULTS` as
 * `new GPT` does) field by field, then against the weights' header: the token and position
 * embedding shapes, the number of blocks and the presence of biases. Building the GPT then
 * allocates no more than the weights file holds, and `loadStateDict` checks every other shape.
 * @param file - the state file to name in errors; `weights`: the weights file.
 * @throws CheckpointError naming the field.
 */
export function checkGPTConfig(value: unknown, shapes: HeaderShapes, file: string, weights: string): void {
  const fail = (message: string): never => {
    throw new CheckpointError(`${file}: ${message}`);
  };
  if (value === undefined) fail(`"config.model" is missing, but ${weights} holds a GPT`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`"config.model" must be a GPT config object, got ${JSON.stringify(value)}`);
  const c = { ...GPT_DEFAULTS, ...(value as Partial<GPTConfig>) };
  for (const key of INTEGER_FIELDS) {
    if (!(Number.isSafeInteger(c[key]) && c[key] > 0))
      fail(`"config.model.${key}" must be a positive integer, got ${JSON.stringify(c[key])}`);
  }
  if (c.nEmbd % c.nHead !== 0) fail(`"config.model.nEmbd" ${c.nEmbd} is not divisible by nHead ${c.nHead}`);
  if (!(typeof c.dropout === 'number' && c.dropout >= 0 && c.dropout < 1))
    fail(`"config.model.dropout" must be a number in [0, 1), got ${JSON.stringify(c.dropout)}`);
  if (typeof c.bias !== 'boolean')
    fail(`"config.model.bias" must be true or false, got ${JSON.stringify(c.bias)}`);
  if (c.geluApproximate !== 'none' && c.geluApproximate !== 'tanh')
    fail(`"config.model.geluApproximate" must be 'none' or 'tanh', got ${JSON.stringify(c.geluApproximate)}`);
  if (!(typeof c.layerNormEps === 'number' && c.layerNormEps > 0 && Number.isFinite(c.layerNormEps)))
    fail(`"config.model.layerNormEps" must be a positive number, got ${JSON.stringify(c.layerNormEps)}`);
  if (typeof c.tieWordEmbeddings !== 'boolean')
    fail(
      `"config.model.tieWordEmbeddings" must be true or false, got ${JSON.stringify(c.tieWordEmbeddings)}`,
    );

  const expectShape = (name: string, expected: number[], fields: string) => {
    const shape = shapes.get(name);
    if (!shape) fail(`"config.model" describes a GPT, but ${weights} has no ${name}`);
    else if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i]))
      fail(
        `"config.model" (${fields}) says ${name} is [${expected.join(', ')}], ${weights} has [${shape.join(', ')}]`,
      );
  };
  expectShape('transformer.wte.weight', [c.vocabSize, c.nEmbd], 'vocabSize, nEmbd');
  expectShape('transformer.wpe.weight', [c.blockSize, c.nEmbd], 'blockSize, nEmbd');
  const blocks = new Set<number>();
  for (const name of shapes.keys()) {
    const match = /^transformer\.h\.(\d+)\./.exec(name);
    if (match) blocks.add(Number(match[1]));
  }
  const contiguous = [...blocks].every((i) => i < blocks.size);
  if (blocks.size !== c.nLayer || !contiguous)
    fail(
      `"config.model.nLayer" is ${c.nLayer}, ${weights} has ${contiguous ? blocks.size : 'non-contiguous'} blocks (transformer.h.<i>)`,
    );
  if (!c.tieWordEmbeddings) expectShape('lm_head.weight', [c.vocabSize, c.nEmbd], 'vocabSize, nEmbd');
  if (shapes.has('transformer.ln_f.bias') !== c.bias)
    fail(
      `"config.model.bias" is ${c.bias}, ${weights} ${c.bias ? 'has no' : 'has'} biases (transformer.ln_f.bias)`,
    );
}
