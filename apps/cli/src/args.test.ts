import { describe, expect, it } from 'vitest';
import { type CommandSpec, formatUsage, parseOptions, UsageError } from './args.js';

const SPEC: CommandSpec = {
  name: 'demo',
  summary: 'A demo command.',
  options: [
    { name: 'max-iters', type: 'int', default: 10, value: '<n>', min: 0, help: 'Steps' },
    { name: 'lr', type: 'number', default: 0.001, value: '<x>', help: 'Learning rate' },
    { name: 'bias', type: 'boolean', default: false, help: 'Biases' },
    { name: 'decay', type: 'boolean', default: true, help: 'Decay' },
    { name: 'out', type: 'string', value: '<dir>', help: 'Output' },
  ],
};

describe('parseOptions', () => {
  it('fills defaults, reads --name value and --name=value, camel-cases names', () => {
    expect(parseOptions(SPEC, [])).toEqual({
      help: false,
      maxIters: 10,
      lr: 0.001,
      bias: false,
      decay: true,
      out: undefined,
    });
    expect(parseOptions(SPEC, ['--max-iters', '5', '--lr=3e-4', '--out', 'runs/a'])).toMatchObject({
      maxIters: 5,
      lr: 3e-4,
      out: 'runs/a',
    });
  });

  it('reads flags as --flag, --no-flag and --flag=false; later options win', () => {
    expect(parseOptions(SPEC, ['--bias', '--no-decay'])).toMatchObject({ bias: true, decay: false });
    expect(parseOptions(SPEC, ['--bias=false', '--lr', '1', '--lr', '2'])).toMatchObject({
      bias: false,
      lr: 2,
    });
    expect(parseOptions(SPEC, ['-h']).help).toBe(true);
  });

  it('takes negative numbers as values', () => {
    expect(parseOptions(SPEC, ['--lr', '-0.5']).lr).toBe(-0.5);
  });

  it('throws UsageError carrying the command', () => {
    const error = (() => {
      try {
        parseOptions(SPEC, ['--lrr', '1']);
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message).toBe('unknown option --lrr (did you mean --lr?)');
    expect(error!.command).toBe(SPEC);
    expect(() => parseOptions(SPEC, ['--max', '1'])).toThrow(
      'unknown option --max (did you mean --max-iters?)',
    );
    expect(() => parseOptions(SPEC, ['--no-bias=1'])).toThrow('--no-bias takes no value');
    expect(() => parseOptions(SPEC, ['--max-iters', '-1'])).toThrow("--max-iters must be >= 0, got '-1'");
    expect(() => parseOptions(SPEC, ['--out', '--bias'])).toThrow('--out needs a value <dir>');
    expect(() => parseOptions(SPEC, ['--lr', '1e'])).toThrow("--lr needs a number, got '1e'");
  });
});

describe('formatUsage', () => {
  it('lists every option with its placeholder and default', () => {
    const text = formatUsage(SPEC);
    expect(text).toContain('Usage: proj demo [options]');
    expect(text).toMatch(/--max-iters <n> +Steps \(default: 10\)/);
    expect(text).toMatch(/--bias +Biases\n/);
    expect(text).toMatch(/--decay +Decay \(default: true\)/);
    expect(text).toMatch(/-h, --help +Show this help/);
  });
});
