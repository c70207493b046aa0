// gluon.data: MXNet 1.9's datasets, samplers and DataLoader (synchronous).
import * as vision from './vision';

export { type Batch, defaultBatchify } from './batchify';
export { ArrayDataset, Dataset, SimpleDataset, type TransformFn } from './dataset';
export { DataLoader, type DataLoaderOptions } from './dataloader';
export { BatchSampler, type LastBatch, RandomSampler, type Sampler, SequentialSampler } from './sampler';
export { vision };
