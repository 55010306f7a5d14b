/** Thrown when shapes do not fit an op; the message names the op and every shape involved. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** Thrown when an op gets a dtype it does not support; the message names the op and the dtypes. */
export class DTypeError extends Error {
  override name = 'DTypeError';
}

/** Formats a shape as `[2, 3]` for error messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Thrown when the CPU reads a tensor that lives in a device's memory synchronously, or when an op
 * gets a tensor from another device backend's memory than the active one; the message names the op,
 * the tensor and both places.
 */
export class DeviceMemoryError extends Error {
  override name = 'DeviceMemoryError';
}
