import { movementCases } from '../grad-cases/movement.js';
import { checkGradients } from '../grad-cases/run.js';

checkGradients(movementCases);
