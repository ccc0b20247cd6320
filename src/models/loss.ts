// The training objective on one batch: summed softmax cross-entropy (the original's
// `loss_cross_ent` times the batch size; no L2 term, as LCA uses CE only) and its gradient.
// The `…With` forms take θ already on the backend, so that a many-batch evaluation uploads θ once
// per point rather than once per batch.
import * as tf from '@tensorflow/tfjs';
import { layoutOf, type Network } from './network.js';

export interface Batch {
  images: tf.Tensor4D; // [n, H, W, C]
  oneHot: tf.Tensor2D; // [n, classes]
}

/** Uploads θ as one tensor per variable, in the network's order. */
export function parameterTensors(net: Network, theta: Float32Array): tf.Tensor[] {
  return layoutOf(net.variables).slots.map((s) => tf.tensor(theta.subarray(s.offset, s.offset + s.size), s.shape));
}

/** Runs `use` with θ uploaded once, disposing the tensors afterwards. */
export function withParameters<T>(net: Network, theta: Float32Array, use: (params: tf.Tensor[]) => T): T {
  const params = parameterTensors(net, theta);
  try {
    return use(params);
  } finally {
    tf.dispose(params);
  }
}

const crossEntropySum = (net: Network, params: readonly tf.Tensor[], batch: Batch): tf.Scalar =>
  tf.neg(tf.sum(tf.mul(batch.oneHot, tf.logSoftmax(net.logits(params, batch.images)))));

/** Σ over the batch of the cross-entropy, as a float, with θ on the backend. */
export function batchLossSumWith(net: Network, params: readonly tf.Tensor[], batch: Batch): number {
  const loss = tf.tidy(() => crossEntropySum(net, params, batch));
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

/** Σ over the batch of the cross-entropy, as a float. */
export const batchLossSum = (net: Network, theta: Float32Array, batch: Batch): number =>
  withParameters(net, theta, (params) => batchLossSumWith(net, params, batch));

/**
 * Σ over the batch of the cross-entropy and its gradient, added into `gradient` (flat θ layout)
 * times `scale`; returns the loss sum. θ is on the backend already (`params`, in the network's
 * order). Accumulating in float64 keeps a many-batch sum exact to the float32 rounding of each batch.
 */
export function accumulateLossAndGradientWith(
  net: Network, params: tf.Tensor[], batch: Batch, gradient: Float64Array, scale: number,
): number {
  const { slots } = layoutOf(net.variables);
  const { value, grads } = tf.tidy(() => tf.valueAndGrads((...p: tf.Tensor[]) => crossEntropySum(net, p, batch))(params));
  try {
    slots.forEach((slot, v) => {
      const g = grads[v].dataSync();
      const out = gradient.subarray(slot.offset, slot.offset + slot.size);
      for (let i = 0; i < g.length; i++) out[i] += scale * g[i];
    });
    return value.dataSync()[0];
  } finally {
    value.dispose();
    tf.dispose(grads);
  }
}

/** As `accumulateLossAndGradientWith`, uploading θ for this one batch. */
export const accumulateLossAndGradient = (
  net: Network, theta: Float32Array, batch: Batch, gradient: Float64Array, scale: number,
): number => withParameters(net, theta, (params) => accumulateLossAndGradientWith(net, params, batch, gradient, scale));
