// L(θ) and ∇L(θ) over a whole dataset: the mean cross-entropy over every example, evaluated in
// fixed contiguous evaluation batches that stay on the backend for the life of the objective.
import type { ImageSet } from '../data/dataset.js';
import { disposeBatch, sliceBatch } from '../models/batches.js';
import { accumulateLossAndGradient, batchLossSum, type Batch } from '../models/loss.js';
import { layoutOf, type Network } from '../models/network.js';

export interface LossAndGradient {
  loss: number;
  gradient: Float64Array; // [K], θ's flat layout
}

// The original evaluates in contiguous batches and drops the remainder (original-conventions.md
// §11.1); here the last, shorter batch is kept so that L covers every example. For the paper's
// sets (55,000 / 11,000 and 45,000 / 2,500 or 5,000) there is no remainder and both agree.
// With batch norm each evaluation batch normalises with its own statistics, so the batch size
// is part of the definition of L and is recorded with every result.
export class FullDatasetObjective {
  readonly count: number;
  private readonly batches: Batch[] = [];
  private readonly size: number;

  constructor(private readonly net: Network, set: ImageSet, readonly evalBatchSize: number) {
    this.count = set.count;
    this.size = layoutOf(net.variables).total;
    for (let start = 0; start < set.count; start += evalBatchSize) {
      this.batches.push(sliceBatch(net, set, start, Math.min(evalBatchSize, set.count - start)));
    }
  }

  loss(theta: Float32Array): number {
    let sum = 0;
    for (const batch of this.batches) sum += batchLossSum(this.net, theta, batch);
    return sum / this.count;
  }

  lossAndGradient(theta: Float32Array): LossAndGradient {
    const gradient = new Float64Array(this.size);
    let sum = 0;
    for (const batch of this.batches) sum += accumulateLossAndGradient(this.net, theta, batch, gradient, 1 / this.count);
    return { loss: sum / this.count, gradient };
  }

  dispose(): void {
    this.batches.forEach(disposeBatch);
    this.batches.length = 0;
  }
}
