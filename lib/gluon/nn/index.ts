// gluon.nn: the layers whose ops exist in this build (see docs/gluon.md for the ones to come).
export { Block, HybridBlock } from '../block';
export { HybridSequential, Sequential } from '../sequential';
export { Dense, type DenseOptions } from './dense';
export { Dropout, Flatten, HybridLambda, Lambda } from './basic';
export { Activation, type ActivationName, Swish } from './activations';
