// The training loop: minibatches in a per-epoch shuffled order, one optimizer step each, and every
// iterate θ_0 … θ_T handed to a sink before the step that leaves it (as the original saves them).
import { gatherExamples } from '../data/imageset.js';
import type { ImageSet } from '../data/types.js';
import { RandomState } from '../data/mt19937.js';
import { batchOf, disposeBatch, pixelsPerImage } from '../models/batches.js';
import { accumulateLossAndGradient } from '../models/loss.js';
import type { Network } from '../models/network.js';
import type { Optimizer } from './optimizers.js';

export interface TrainPlan {
  iterations: number;
  batchSize: number;
  seed: number; // shuffling stream; numpy's np.random.seed(seed) + permutation(N) per epoch
  /** First iteration to run (a resumed training): θ is θ_start and the optimizer has taken `start` steps. */
  start?: number;
  /** Called at the start of each iteration t > start, before its minibatch: where a checkpoint fits. */
  beforeIteration?: (iteration: number, theta: Float32Array) => Promise<void>;
  /** The engine's minibatch gradient (default: TF.js on its current backend). */
  minibatchGradient?: MinibatchGradient;
}

/**
 * Σ over a minibatch (images [n, H, W, C], labels [n]) of the cross-entropy at θ; adds `scale` × its
 * gradient into `gradient` (θ's flat layout) and returns the loss sum.
 */
export type MinibatchGradient = (theta: Float32Array, images: Float32Array, labels: Uint8Array, gradient: Float64Array, scale: number) => number | Promise<number>;

export const tfjsMinibatchGradient = (net: Network): MinibatchGradient => (theta, images, labels, gradient, scale) => {
  const batch = batchOf(net, images, labels, labels.length);
  try {
    return accumulateLossAndGradient(net, theta, batch, gradient, scale);
  } finally {
    disposeBatch(batch);
  }
};

/** Receives θ_t and the loss of the minibatch step t takes from it (NaN for the final θ_T). */
export type IterateSink = (iteration: number, theta: Float32Array, minibatchLoss: number) => Promise<void>;

/** floor(N / batch): the last partial batch of an epoch is dropped, as in the original (§4). */
export const iterationsPerEpoch = (count: number, batchSize: number): number => Math.floor(count / batchSize);

export async function train(net: Network, set: ImageSet, theta: Float32Array, optimizer: Optimizer, plan: TrainPlan, sink: IterateSink): Promise<void> {
  const perEpoch = iterationsPerEpoch(set.count, plan.batchSize);
  const rng = new RandomState(plan.seed);
  const gradient = new Float64Array(theta.length);
  const start = plan.start ?? 0;
  const minibatchGradient = plan.minibatchGradient ?? tfjsMinibatchGradient(net);
  const pixels = pixelsPerImage(net);
  let order: Int32Array = new Int32Array(0);
  let epoch = -1;
  for (let t = start; t < plan.iterations; t++) {
    if (t > start) await plan.beforeIteration?.(t, theta);
    const step = t % perEpoch;
    // The shuffle stream is replayed from the seed, so a resumed run draws the same orders (§4).
    for (; epoch < Math.floor(t / perEpoch); epoch++) order = rng.permutation(set.count);
    const { images, labels } = gatherExamples(set.images, set.labels, pixels, order.subarray(step * plan.batchSize, (step + 1) * plan.batchSize));
    gradient.fill(0);
    const lossSum = await minibatchGradient(theta, images, labels, gradient, 1 / plan.batchSize);
    await sink(t, theta, lossSum / plan.batchSize);
    optimizer.step(theta, gradient);
  }
  await sink(plan.iterations, theta, Number.NaN);
}
