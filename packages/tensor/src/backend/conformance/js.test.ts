import { describeBackendConformance } from '../../testing/index.js';
import { jsBackend } from '../js/index.js';

/**
 * The conformance suite on the JS reference itself. Its comparisons with the reference hold
 * trivially here; what this run checks is the rest: the float64 accuracy bounds, torch's 16-bit
 * rounding, the exact results on special values and empty shapes, and the error messages.
 */
await describeBackendConformance('js', () => jsBackend);
