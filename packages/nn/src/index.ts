export * as init from './init.js';
export { Dropout, GELU, type Layer, ReLU, Sequential, SiLU, Tanh } from './layers/activation.js';
export { Embedding } from './layers/embedding.js';
export { type LayerOptions, Linear } from './layers/linear.js';
export { LayerNorm, type NormOptions, RMSNorm } from './layers/norm.js';
export { type LoadStateDictOptions, Module, Parameter, StateDictError } from './module.js';
export { loadModule, saveModule } from './serialization.js';
