import type { Backend } from '../backend.js';
import { binary, copy, unary, where } from './elementwise.js';
import { matmul } from './matmul.js';
import { reduce, softmax } from './reduce.js';

/** The plain-JavaScript kernels: always available, and the reference for every other backend. */
export const jsBackend: Backend = { name: 'js', unary, binary, copy, where, reduce, matmul, softmax };
