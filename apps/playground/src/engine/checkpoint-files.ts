import { CHECKPOINT_FILES, CHECKPOINT_POINTER, CheckpointError, parseCheckpointPointer } from '@proj/train';

/** A file the user picked or dropped: its path relative to what was picked (`run/ckpt-…/state.json`). */
export interface PickedFile {
  path: string;
  bytes(): Promise<Uint8Array>;
}

/** The three files of one checkpoint, read. */
export interface CheckpointBytes {
  model: Uint8Array;
  optimizer: Uint8Array;
  /** `state.json` as text. */
  state: string;
  /** The folder they came from (`''` for loose files), for messages. */
  folder: string;
}

const dirOf = (path: string) => path.slice(0, Math.max(path.lastIndexOf('/'), 0));
const join = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`);

/**
 * Finds the current checkpoint among picked files as `loadCheckpoint` does on disk: a run's folder
 * (its `checkpoint.json` names the `ckpt-*` folder to read), a `ckpt-*` folder, a folder of the flat
 * layout, or the three files themselves; then reads them.
 * @throws CheckpointError naming what is missing or ambiguous.
 */
export async function readPickedCheckpoint(picked: readonly PickedFile[]): Promise<CheckpointBytes> {
  const byPath = new Map(picked.map((f) => [f.path.replace(/^\/+/, ''), f]));
  const folder = await currentFolder(byPath);
  const file = (name: string) => {
    const f = byPath.get(join(folder, name));
    if (!f)
      throw new CheckpointError(
        `${folder === '' ? 'the picked files' : folder} ${folder === '' ? 'do' : 'does'} not hold ${name} (a checkpoint is ${Object.values(CHECKPOINT_FILES).join(', ')})`,
      );
    return f;
  };
  const [model, optimizer, state] = await Promise.all(
    [CHECKPOINT_FILES.model, CHECKPOINT_FILES.optimizer, CHECKPOINT_FILES.state].map((name) =>
      file(name).bytes(),
    ),
  );
  return { model: model!, optimizer: optimizer!, state: new TextDecoder().decode(state), folder };
}

/** The folder (relative path) whose three files are the current checkpoint. */
async function currentFolder(byPath: ReadonlyMap<string, PickedFile>): Promise<string> {
  const depth = (path: string) => path.split('/').length;
  const pointers = [...byPath.keys()].filter((p) => p.split('/').at(-1) === CHECKPOINT_POINTER);
  if (pointers.length > 0) {
    const shallowest = pointers.sort((a, b) => depth(a) - depth(b))[0]!;
    if (pointers.filter((p) => depth(p) === depth(shallowest)).length > 1)
      throw new CheckpointError(`pick one run: found ${pointers.join(', ')}`);
    const text = new TextDecoder().decode(await byPath.get(shallowest)!.bytes());
    return join(dirOf(shallowest), parseCheckpointPointer(text, shallowest));
  }
  const states = [...byPath.keys()].filter((p) => p.split('/').at(-1) === CHECKPOINT_FILES.state);
  if (states.length === 0)
    throw new CheckpointError(
      `no checkpoint among the picked files: expected ${CHECKPOINT_POINTER} (a run's folder) or ${CHECKPOINT_FILES.state} with its two .safetensors files`,
    );
  if (states.length > 1)
    throw new CheckpointError(
      `several checkpoints and no ${CHECKPOINT_POINTER} to choose: ${states.join(', ')}`,
    );
  return dirOf(states[0]!);
}

/**
 * The files to download for `proj sample --from <folder>` (and `proj train --resume`): the flat
 * layout, the three files side by side, which `loadCheckpoint` reads when the folder has no
 * `checkpoint.json` (save them into an empty folder).
 */
export function checkpointDownloads(
  c: Omit<CheckpointBytes, 'folder'>,
): { name: string; bytes: Uint8Array }[] {
  return [
    { name: CHECKPOINT_FILES.model, bytes: c.model },
    { name: CHECKPOINT_FILES.optimizer, bytes: c.optimizer },
    { name: CHECKPOINT_FILES.state, bytes: new TextEncoder().encode(c.state) },
  ];
}
