// mx.metric: MXNet 1.9's evaluation metrics.
export { EvalMetric, type Arrays, type Average, type MetricOptions } from './eval-metric';
export { Accuracy, F1, TopKAccuracy } from './classification';
export { MAE, MSE, PearsonCorrelation, RMSE } from './regression';
export { CrossEntropy, Loss, Perplexity } from './probability';
export { CompositeEvalMetric, create, CustomMetric, type Feval, type MetricLike } from './composite';
