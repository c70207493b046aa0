// gluon.contrib.estimator: MXNet 1.6+'s Estimator and its event handlers.
export { Estimator, type EstimatorOptions, type FitOptions, type History } from './estimator';
export {
  type BatchInfo,
  CheckpointHandler,
  type CheckpointOptions,
  EarlyStoppingHandler,
  type EarlyStoppingOptions,
  type EventHandler,
  HistoryHandler,
  LoggingHandler,
  type LoggingHandlerOptions,
  MetricHandler,
  StoppingHandler,
  ValidationHandler,
} from './event-handler';
