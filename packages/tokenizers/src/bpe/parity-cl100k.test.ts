import { describeCorpusParity } from '../testing/parity.js';

describeCorpusParity('cl100k_base');
