/** Input the app cannot take (unknown characters, empty or too long text): printed as one line, exit code 1. */
export class InputError extends Error {
  override name = 'InputError';
}
