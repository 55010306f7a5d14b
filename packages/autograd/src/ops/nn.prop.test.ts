import { nnCases } from '../grad-cases/nn.js';
import { checkGradients } from '../grad-cases/run.js';

checkGradients(nnCases);
