// Defaults that depend on other keys, and the rules across keys, applied after each key is checked.
import { DATASET_IMAGE_SHAPES } from '../data/types.js';
import type { OptimizerName, TrainConfig } from './schema.js';

// TF1's own defaults (original-conventions.md §4): AdamOptimizer ε 1e-8, RMSPropOptimizer ε 1e-10.
// SGD has no ε; it gets Adam's so the manifest never holds a null.
const EPSILON: Record<OptimizerName, number> = { sgd: 1e-8, adam: 1e-8, rmsprop: 1e-10 };

// The original's large_batch_size per dataset (§11.2): MNIST 11,000 (55,000 = 5 batches), CIFAR 2,500
// (the README's gradient run). With batch norm in training mode it is part of the loss's definition.
export const defaultEvalBatchSize = (imageShape: readonly number[]): number => (imageShape[0] === 32 ? 2500 : 11000);

export function normalize(config: TrainConfig): TrainConfig {
  return {
    ...config,
    optimizer: { ...config.optimizer, epsilon: config.optimizer.epsilon ?? EPSILON[config.optimizer.name] },
    eval_batch_size: config.eval_batch_size ?? defaultEvalBatchSize(DATASET_IMAGE_SHAPES[config.dataset]),
  };
}
