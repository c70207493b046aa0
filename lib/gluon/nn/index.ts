// gluon.nn: MXNet 1.x's layers.
export { Block, HybridBlock } from '../block';
export { HybridSequential, Sequential } from '../sequential';
export { Dense, type DenseOptions } from './dense';
export { Dropout, Flatten, HybridLambda, Lambda } from './basic';
export { Activation, type ActivationName, ELU, GELU, LeakyReLU, PReLU, type PReLUOptions, SELU, Swish } from './activations';
export {
  Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, type ConvOptions, type ConvTransposeOptions,
} from './conv';
export { Embedding, type EmbeddingOptions } from './embedding';
export { BatchNorm, type BatchNormOptions, GroupNorm, InstanceNorm, LayerNorm, type NormOptions } from './normalization';
export {
  AvgPool1D, AvgPool2D, AvgPool3D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D,
  GlobalMaxPool3D, MaxPool1D, MaxPool2D, MaxPool3D, type PoolOptions,
} from './pooling';
