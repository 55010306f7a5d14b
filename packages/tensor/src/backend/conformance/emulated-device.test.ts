import { createEmulatedDeviceBackend, describeBackendConformance } from '../../testing/index.js';

/**
 * The conformance suite on a device backend without a GPU: the JS kernels behind opaque storage
 * handles (no float64, results only through readAsync, NaN rows for bad cross-entropy targets). It
 * proves that the suite runs every kernel test through the backend's memory functions, as it must
 * for the WebGPU backend.
 */
await describeBackendConformance('emulated device', () => createEmulatedDeviceBackend());
