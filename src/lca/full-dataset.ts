// L(θ) and ∇L(θ) over a whole dataset (or a fixed subset of it): the mean cross-entropy over every
// example, evaluated in fixed evaluation batches that stay on the backend for the life of the objective.
// With `byClass`, the batches are class-homogeneous, so each class's loss and gradient come from the same passes.
import type * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/types.js';
import { UsageError } from '../errors.js';
import { disposeBatch, gatherBatch, sliceBatch } from '../models/batches.js';
import { accumulateLossAndGradientWith, batchLossSumWith, withParameters, type Batch } from '../models/loss.js';
import { layoutOf, type Network } from '../models/network.js';

export interface LossAndGradient {
  loss: number;
  gradient: Float64Array; // [K], θ's flat layout
  /** With `byClass`: L_c (NaN for a class with no examples) and ∇L_c ([K] each), per class id. */
  classes?: { losses: number[]; gradients: Float64Array[] };
}

export interface ObjectiveOptions {
  /** The examples to use, in evaluation order (a subset); default every example in stored order. */
  indices?: Int32Array;
  /** Evaluate in class-homogeneous batches and return per-class losses and gradients too. */
  byClass?: boolean;
}

/** The indices sorted stably by label: class 0's examples first, each class in its original order. */
export function orderByClass(labels: Uint8Array, indices: Int32Array, numClasses: number): { order: Int32Array; counts: number[] } {
  const counts = new Array<number>(numClasses).fill(0);
  for (const i of indices) counts[labels[i]]++;
  const next = counts.map((_, c) => counts.slice(0, c).reduce((a, b) => a + b, 0));
  const order = new Int32Array(indices.length);
  for (const i of indices) order[next[labels[i]]++] = i;
  return { order, counts };
}

// The original evaluates in contiguous batches and drops the remainder (original-conventions.md
// §11.1); here the last, shorter batch is kept so that L covers every example. For the paper's
// sets (55,000 / 11,000 and 45,000 / 2,500 or 5,000) there is no remainder and both agree.
// With batch norm each evaluation batch normalises with its own statistics, so the batch size
// is part of the definition of L and is recorded with every result; for the same reason
// class-homogeneous batches would change L itself, so `byClass` is refused for such networks.
export class FullDatasetObjective {
  readonly count: number;
  /** Examples per class (byClass only). */
  readonly classCounts: number[] = [];
  private readonly batches: { batch: Batch; label: number }[] = [];
  private readonly size: number;

  constructor(private readonly net: Network, set: ImageSet, readonly evalBatchSize: number, options: ObjectiveOptions = {}) {
    this.size = layoutOf(net.variables).total;
    const { indices, byClass = false } = options;
    if (byClass && net.usesBatchStatistics) throw new UsageError(`${net.name}: per-class LCA needs class-homogeneous batches, which would change a batch-norm network's loss`);
    this.count = indices?.length ?? set.count;
    if (!indices && !byClass) {
      // Contiguous slices: no copy, and bit for bit what compute did before subsets and classes existed.
      for (let start = 0; start < set.count; start += evalBatchSize) {
        this.batches.push({ batch: sliceBatch(net, set, start, Math.min(evalBatchSize, set.count - start)), label: -1 });
      }
      return;
    }
    const all = indices ?? Int32Array.from({ length: set.count }, (_, i) => i);
    // Without classes, one run of examples; with them, one run per class, so no batch crosses a class boundary.
    const runs: { label: number; examples: Int32Array }[] = [];
    if (byClass) {
      const { order, counts } = orderByClass(set.labels, all, net.numClasses);
      this.classCounts = counts;
      let start = 0;
      counts.forEach((n, label) => {
        runs.push({ label, examples: order.subarray(start, start + n) });
        start += n;
      });
    } else {
      runs.push({ label: -1, examples: all });
    }
    for (const { label, examples } of runs) {
      for (let start = 0; start < examples.length; start += evalBatchSize) {
        this.batches.push({ batch: gatherBatch(net, set, examples.subarray(start, Math.min(start + evalBatchSize, examples.length))), label });
      }
    }
  }

  // θ goes to the backend once per point and serves every evaluation batch.
  loss(theta: Float32Array): number {
    return withParameters(this.net, theta, (params) => {
      let sum = 0;
      for (const { batch } of this.batches) sum += batchLossSumWith(this.net, params, batch);
      return sum / this.count;
    });
  }

  lossAndGradient(theta: Float32Array): LossAndGradient {
    return withParameters(this.net, theta, (params) => this.lossAndGradientWith(params));
  }

  private lossAndGradientWith(params: tf.Tensor[]): LossAndGradient {
    const gradient = new Float64Array(this.size);
    if (this.classCounts.length === 0) {
      let sum = 0;
      for (const { batch } of this.batches) sum += accumulateLossAndGradientWith(this.net, params, batch, gradient, 1 / this.count);
      return { loss: sum / this.count, gradient };
    }
    // ∇L_c = (1/n_c) Σ_{i in c} ∇ℓ_i, and L = Σ_c (n_c/N) L_c, ∇L = Σ_c (n_c/N) ∇L_c.
    const counts = this.classCounts;
    const gradients = counts.map(() => new Float64Array(this.size));
    const sums = counts.map(() => 0);
    for (const { batch, label } of this.batches) {
      sums[label] += accumulateLossAndGradientWith(this.net, params, batch, gradients[label], 1 / counts[label]);
    }
    counts.forEach((n, c) => {
      const weight = n / this.count;
      const g = gradients[c];
      if (n > 0) for (let i = 0; i < gradient.length; i++) gradient[i] += weight * g[i];
    });
    return {
      loss: sums.reduce((a, b) => a + b, 0) / this.count,
      gradient,
      classes: { losses: sums.map((s, c) => (counts[c] > 0 ? s / counts[c] : Number.NaN)), gradients },
    };
  }

  dispose(): void {
    this.batches.forEach(({ batch }) => disposeBatch(batch));
    this.batches.length = 0;
  }
}
