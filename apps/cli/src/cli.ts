import { StateDictError } from '@proj/nn';
import { DTypeError, SafetensorsError, ShapeError } from '@proj/tensor';
import { TokenizerError } from '@proj/tokenizers';
import { CheckpointError, DatasetError, RewardError, TrainingDivergedError } from '@proj/train';
import { formatUsage, UsageError } from './args.js';
import { dpoCommand } from './commands/dpo.js';
import { exportCommand } from './commands/export.js';
import { finetuneCommand } from './commands/finetune.js';
import { grpoCommand } from './commands/grpo.js';
import { mergeCommand } from './commands/merge.js';
import { ppoCommand } from './commands/ppo.js';
import { rewardModelCommand } from './commands/reward-model.js';
import { sampleCommand } from './commands/sample.js';
import { trainCommand } from './commands/train.js';
import { CliError, type Io } from './io.js';

const COMMANDS = {
  train: trainCommand,
  finetune: finetuneCommand,
  sample: sampleCommand,
  merge: mergeCommand,
  export: exportCommand,
  'reward-model': rewardModelCommand,
  dpo: dpoCommand,
  ppo: ppoCommand,
  grpo: grpoCommand,
} as const;

const USAGE = `Usage: proj <command> [options]

Language models from scratch in TypeScript.

Commands:
  train         Pretrain a GPT on a corpus (nanoGPT's options, Shakespeare-char CPU defaults)
  finetune      Finetune a GPT on prompt/completion or chat examples, fully or with LoRA (TRL's SFT)
  sample        Generate text from a run, a Hugging Face GPT-2 folder or a LoRA adapter
  merge         Merge LoRA adapters into their base weights, as a Hugging Face GPT-2 folder
  export        Write a run as a Hugging Face GPT-2 folder (transformers, PyTorch)
  reward-model  Train a reward model on preference pairs (TRL's RewardTrainer)
  dpo           Direct preference optimisation on preference pairs (TRL's DPOTrainer)
  ppo           PPO with a KL penalty against a reward function or model (TRL's PPOTrainer)
  grpo          Group relative policy optimisation (TRL's GRPOTrainer)

Run 'proj <command> --help' for the options of a command.
`;

/**
 * Errors that report a problem with the input — files, data, option values, a diverging run —
 * rather than a bug: printed as one line, exit code 1. Anything else keeps its stack trace.
 */
const EXPECTED_ERRORS = [
  CliError,
  CheckpointError,
  DatasetError,
  TrainingDivergedError,
  RewardError,
  SafetensorsError,
  StateDictError,
  ShapeError,
  DTypeError,
  TokenizerError,
] as const;

/** Whether `error` is one of the {@link EXPECTED_ERRORS}, reported in one line. */
export function isExpectedError(error: unknown): error is Error {
  return EXPECTED_ERRORS.some((type) => error instanceof type);
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves with the exit code:
 * 0 on success, 1 for a failure with a message (missing data, corrupt checkpoint), 2 for bad usage.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name as keyof typeof COMMANDS];
  try {
    if (!command) throw new UsageError(`unknown command '${name}'`);
    await command.run(rest, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`proj${command ? ` ${name}` : ''}: ${error.message}\n\n`);
      io.stderr.write(error.command ? formatUsage(error.command) : USAGE);
      return 2;
    }
    if (isExpectedError(error)) {
      io.stderr.write(`proj ${name}: ${error.message.replaceAll(/\s*\n\s*/g, ' ')}\n`);
      return 1;
    }
    throw error;
  }
}
