// mx.init: MXNet 1.x's initializers.
export { Initializer, create, type InitLike } from './initializer';
export { Constant, One, Zero } from './constant';
export { MSRAPrelu, Normal, Orthogonal, Uniform, Xavier, type XavierFactorType, type XavierOptions, type XavierRndType } from './random-inits';
