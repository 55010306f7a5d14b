import { describe, expect, it } from 'vitest';
import { CheckpointError } from './errors.js';
import { checkpointPointerText, parseCheckpointPointer } from './layout.js';

describe('checkpoint pointer', () => {
  it('reads the folder a pointer names, as saveCheckpoint writes it', () => {
    expect(
      parseCheckpointPointer('{"format":"proj-checkpoint-pointer","current":"ckpt-00000100-0a1b2c3d"}\n'),
    ).toBe('ckpt-00000100-0a1b2c3d');
    expect(parseCheckpointPointer(checkpointPointerText('ckpt-123456789-ffffffff'))).toBe(
      'ckpt-123456789-ffffffff',
    );
  });

  it.each([
    ['not JSON', '{"format"'],
    ['another format', '{"format":"other","current":"ckpt-00000100-0a1b2c3d"}'],
    ['a path outside the run', '{"format":"proj-checkpoint-pointer","current":"../ckpt-00000100-0a1b2c3d"}'],
    ['a short iteration', '{"format":"proj-checkpoint-pointer","current":"ckpt-100-0a1b2c3d"}'],
    ['null', 'null'],
  ])('refuses %s, naming the file', (_, text) => {
    expect(() => parseCheckpointPointer(text, 'runs/a/checkpoint.json')).toThrow(CheckpointError);
    expect(() => parseCheckpointPointer(text, 'runs/a/checkpoint.json')).toThrow(
      /^runs\/a\/checkpoint.json is corrupt: expected \{"format": "proj-checkpoint-pointer"/,
    );
  });
});
