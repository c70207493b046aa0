// gluon: MXNet 1.x's Gluon (blocks, parameters, layers, losses) on the nd and autograd API.
import * as contrib from './contrib';
import * as data from './data';
import * as loss from './loss';
import * as nn from './nn';
import * as utils from './utils';

export { Block, type BlockOptions, HybridBlock } from './block';
export { DeferredInitializationError, Parameter, type ParameterOptions, type InitializeOptions } from './parameter';
export { ParameterDict } from './parameter-dict';
export { Trainer, type StepOptions } from './trainer';
export { type LoadParametersOptions } from './param-file';
export { resetNameCounters } from './name-scope';
export { contrib, data, loss, nn, utils };
