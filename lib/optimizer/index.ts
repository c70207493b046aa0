// mx.optimizer: MXNet 1.x's optimizers on the fused update ops, and their registry.
import { AdaDelta } from './adadelta';
import { AdaGrad } from './adagrad';
import { Adam } from './adam';
import { AdamW } from './adamw';
import { FTRL } from './ftrl';
import { LAMB } from './lamb';
import { NAG } from './nag';
import { register } from './optimizer';
import { RMSProp } from './rmsprop';
import { SGD } from './sgd';
import { Signum } from './signum';

export { create, Optimizer, register } from './optimizer';
export type { Index, OptimizerOptions, OptimizerState, ParamMults } from './optimizer';
export type { SGDOptions } from './sgd';
export type { NAGOptions } from './nag';
export type { AdamOptions } from './adam';
export type { AdamWOptions } from './adamw';
export type { RMSPropOptions } from './rmsprop';
export type { AdaGradOptions } from './adagrad';
export type { AdaDeltaOptions } from './adadelta';
export type { SignumOptions } from './signum';
export type { LAMBOptions } from './lamb';
export type { FTRLOptions } from './ftrl';
export { SGD, NAG, Adam, AdamW, RMSProp, AdaGrad, AdaDelta, Signum, LAMB, FTRL };
/** MXNet's spelling of the class name. */
export const Ftrl = FTRL;

for (const klass of [SGD, NAG, Adam, AdamW, RMSProp, AdaGrad, AdaDelta, Signum, LAMB, FTRL]) register(klass);
