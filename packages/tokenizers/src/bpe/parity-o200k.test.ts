import { describeCorpusParity } from '../testing/parity.js';

describeCorpusParity('o200k_base');
