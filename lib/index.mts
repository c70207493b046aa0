// ESM entry: the CommonJS build re-exported with named bindings.
import cjs from './index.js';

const mx = cjs.default;
export default mx;
export const { nd, autograd, gluon, init, metric, random, NDArray, Context, cpu, gpu, isa, getLimits, setLimits, optimizer, lr_scheduler } = cjs;
