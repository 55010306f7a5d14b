import { matmulCases } from '../grad-cases/matmul.js';
import { checkGradients } from '../grad-cases/run.js';

checkGradients(matmulCases);
