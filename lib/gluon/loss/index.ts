// gluon.loss: MXNet 1.9's losses.
export { Loss, type LossOptions } from './loss';
export { HuberLoss, L1Loss, L2Loss, PoissonNLLLoss, type PoissonNLLOptions } from './regression';
export {
  HingeLoss,
  KLDivLoss,
  LogisticLoss,
  SigmoidBCELoss,
  SigmoidBinaryCrossEntropyLoss,
  SoftmaxCELoss,
  SoftmaxCrossEntropyLoss,
  type SoftmaxCrossEntropyOptions,
  SquaredHingeLoss,
} from './classification';
export { CosineEmbeddingLoss, TripletLoss } from './embedding';
