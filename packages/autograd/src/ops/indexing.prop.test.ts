import { indexingCases } from '../grad-cases/indexing.js';
import { checkGradients } from '../grad-cases/run.js';

checkGradients(indexingCases);
