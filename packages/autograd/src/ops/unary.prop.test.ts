import { checkGradients } from '../grad-cases/run.js';
import { unaryCases } from '../grad-cases/unary.js';

checkGradients(unaryCases);
