// L(θ) and ∇L(θ) over a whole dataset (or a fixed subset of it): the mean cross-entropy over every
// example, evaluated in fixed evaluation batches that stay on the backend for the life of the objective.
// With `byClass`, the batches are class-homogeneous, so each class's loss and gradient come from the same passes.
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/types.js';
import { UsageError } from '../errors.js';
import { disposeBatch, gatherBatch, sliceBatch } from '../models/batches.js';
import { accumulateLossAndGradientWith, accumulateSplitLossAndGradient, batchLossSumWith, withParameters, type Batch } from '../models/loss.js';
import { layoutOf, type FirstLayerSplit, type Network } from '../models/network.js';
import { BatchSums, planBatches, type LossAndGradient } from './batch-plan.js';

export { orderByClass, type LossAndGradient } from './batch-plan.js';

export interface ObjectiveOptions {
  /** The examples to use, in evaluation order (a subset); default every example in stored order. */
  indices?: Int32Array;
  /** Evaluate in class-homogeneous batches and return per-class losses and gradients too. */
  byClass?: boolean;
  /** Use the network's first-layer split when its pre-activations fit FIRST_LAYER_BYTES (default true). */
  firstLayer?: boolean;
}

/** Where a point lies on the segment θ_t → θ_{t+1}: lets a split network interpolate its first layer. */
export interface SegmentPoint {
  from: Float32Array;
  to: Float32Array;
  s: number;
}

/**
 * Device memory allowed for the first layer's pre-activations over the whole set: those at both
 * endpoints of a segment and one interpolated set (MNIST-FC on 55,000 examples: 3 × 22 MB). LeNet's
 * first layer is a conv whose outputs would take 3 × 3.4 GB, so it has no split. (xᵀ, one more copy
 * of the images, is not counted: it is no larger than the images already on the backend.)
 */
export const FIRST_LAYER_BYTES = 512 * 2 ** 20;

const sameValues = (a: Float32Array, b: Float32Array): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
};

// With batch norm each evaluation batch normalises with its own statistics, so the batch size
// is part of the definition of L and is recorded with every result; for the same reason
// class-homogeneous batches would change L itself, so `byClass` is refused for such networks.
export class FullDatasetObjective {
  readonly count: number;
  /** Examples per class (byClass only). */
  readonly classCounts: number[];
  private readonly batches: { batch: Batch; label: number }[] = [];
  private readonly size: number;
  /**
   * The first-layer split in use; per batch the first layer's input x and its transpose xᵀ, kept so that
   * ∂L/∂W = xᵀ·∂L/∂z needs no transpose per point (−10 ms per 11,000 examples on wasm, for one more
   * copy of the images); z = x·W + b at the last two endpoints.
   */
  private readonly split?: FirstLayerSplit;
  private readonly inputs: tf.Tensor2D[] = [];
  private readonly transposedInputs: tf.Tensor2D[] = [];
  private readonly endpoints: { theta: Float32Array; z: tf.Tensor2D[] }[] = [];

  constructor(private readonly net: Network, set: ImageSet, readonly evalBatchSize: number, options: ObjectiveOptions = {}) {
    this.size = layoutOf(net.variables).total;
    const { indices, byClass = false, firstLayer = true } = options;
    if (byClass && net.usesBatchStatistics) throw new UsageError(`${net.name}: per-class LCA needs class-homogeneous batches, which would change a batch-norm network's loss`);
    this.count = indices?.length ?? set.count;
    const plan = planBatches(set, net.numClasses, evalBatchSize, { indices, byClass });
    this.classCounts = plan.classCounts;
    for (const b of plan.batches) {
      this.batches.push({ batch: 'start' in b ? sliceBatch(net, set, b.start, b.count) : gatherBatch(net, set, b.examples), label: b.label });
    }
    const split = net.firstLayer;
    if (firstLayer && split && 3 * this.count * net.variables[split.kernel].shape[1] * 4 <= FIRST_LAYER_BYTES) {
      this.split = split;
      this.inputs = this.batches.map(({ batch }) => split.input(batch.images)); // a reshape: shares the images' data
      this.transposedInputs = this.inputs.map((x) => tf.transpose(x));
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

  /**
   * L and ∇L at θ. `at` says that θ lies inside the segment `from` → `to`: with a first-layer split, and
   * both endpoints evaluated last (as `lca compute` does), z is then interpolated rather than computed.
   */
  lossAndGradient(theta: Float32Array, at?: SegmentPoint): LossAndGradient {
    const { net, split } = this;
    return withParameters(net, theta, (params) => {
      if (!split) return this.sum((k, gradient, scale) => accumulateLossAndGradientWith(net, params, this.batches[k].batch, gradient, scale));
      const { z, owned } = this.firstLayerOutputs(split, params, theta, at);
      try {
        return this.sum((k, gradient, scale) => accumulateSplitLossAndGradient(net, split, params, this.transposedInputs[k], z[k], this.batches[k].batch, gradient, scale));
      } finally {
        if (owned) tf.dispose(z);
      }
    });
  }

  /**
   * z = x·W + b per batch: an endpoint's is computed directly from its θ and kept (the last two), so a
   * resumed or sharded run, which starts by computing its first endpoint afresh, gets the same bits;
   * inside a segment whose endpoints are kept, z = (1−s)·z_from + s·z_to (exact in the reals, since z is
   * affine in s); anywhere else it is computed directly. `owned`: the caller disposes z.
   */
  private firstLayerOutputs(split: FirstLayerSplit, params: tf.Tensor[], theta: Float32Array, at: SegmentPoint | undefined): { z: tf.Tensor2D[]; owned: boolean } {
    const kept = (values: Float32Array) => this.endpoints.find((e) => sameValues(e.theta, values));
    const here = kept(theta);
    if (here) return { z: here.z, owned: false };
    const from = at && kept(at.from);
    const to = at && kept(at.to);
    if (at && from && to) {
      return { z: from.z.map((zFrom, k) => tf.tidy(() => tf.add(tf.mul(zFrom, 1 - at.s), tf.mul(to.z[k], at.s)))), owned: true };
    }
    const z = this.inputs.map((x) => tf.tidy(() => tf.add(tf.matMul(x, params[split.kernel] as tf.Tensor2D), params[split.bias]))) as tf.Tensor2D[];
    if (at) return { z, owned: true };
    this.endpoints.push({ theta: theta.slice(), z });
    if (this.endpoints.length > 2) tf.dispose(this.endpoints.shift()!.z);
    return { z, owned: false };
  }

  /** Σ over the evaluation batches of `accumulate(batch index, gradient, scale)`, per class with `byClass`. */
  private sum(accumulate: (k: number, gradient: Float64Array, scale: number) => number): LossAndGradient {
    const sums = new BatchSums(this.size, this.count, this.classCounts);
    this.batches.forEach(({ label }, k) => {
      const { gradient, scale } = sums.target(label);
      sums.addLoss(label, accumulate(k, gradient, scale));
    });
    return sums.result();
  }

  dispose(): void {
    this.endpoints.forEach(({ z }) => tf.dispose(z));
    this.endpoints.length = 0;
    tf.dispose([...this.inputs, ...this.transposedInputs]);
    this.inputs.length = 0;
    this.transposedInputs.length = 0;
    this.batches.forEach(({ batch }) => disposeBatch(batch));
    this.batches.length = 0;
  }
}
