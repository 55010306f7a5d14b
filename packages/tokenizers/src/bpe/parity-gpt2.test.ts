import { describeCorpusParity } from '../testing/parity.js';

describeCorpusParity('gpt2');
