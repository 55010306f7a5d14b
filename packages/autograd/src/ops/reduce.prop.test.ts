import { reduceCases } from '../grad-cases/reduce.js';
import { checkGradients } from '../grad-cases/run.js';

checkGradients(reduceCases);
