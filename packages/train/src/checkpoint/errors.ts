/** Thrown for a missing, incomplete or corrupt checkpoint; the message says which file and what is wrong. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}
