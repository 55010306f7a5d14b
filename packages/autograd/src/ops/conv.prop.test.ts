import { convCases } from '../grad-cases/conv.js';
import { checkGradients } from '../grad-cases/run.js';

checkGradients(convCases);
