// Passes a tensor of the app's @proj/tensor to @proj/autograd while autograd holds its own nested
// copy, and prints what happened as JSON.
import { variable } from '@proj/autograd';
import { tensor } from '@proj/tensor';

let outcome;
try {
  outcome = { worked: true, value: variable(tensor([1, 2])).data.toArray() };
} catch (error) {
  outcome = { worked: false, name: error.name, message: error.message };
}
process.stdout.write(JSON.stringify(outcome));
