import { binaryCases } from '../grad-cases/binary.js';
import { checkGradients } from '../grad-cases/run.js';

checkGradients(binaryCases);
