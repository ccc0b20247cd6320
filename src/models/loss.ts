// The training objective on one batch: summed softmax cross-entropy (the original's
// `loss_cross_ent` times the batch size; no L2 term, as LCA uses CE only) and its gradient.
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

const crossEntropySum = (net: Network, params: tf.Tensor[], batch: Batch): tf.Scalar =>
  tf.neg(tf.sum(tf.mul(batch.oneHot, tf.logSoftmax(net.logits(params, batch.images)))));

/** Σ over the batch of the cross-entropy, as a float. */
export function batchLossSum(net: Network, theta: Float32Array, batch: Batch): number {
  const loss = tf.tidy(() => crossEntropySum(net, parameterTensors(net, theta), batch));
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

/**
 * Σ over the batch of the cross-entropy and its gradient, added into `gradient` (flat θ layout)
 * times `scale`; returns the loss sum. Accumulating in float64 keeps a many-batch sum exact
 * to the float32 rounding of each batch.
 */
export function accumulateLossAndGradient(
  net: Network, theta: Float32Array, batch: Batch, gradient: Float64Array, scale: number,
): number {
  const { slots } = layoutOf(net.variables);
  const { value, grads } = tf.tidy(() => {
    const params = parameterTensors(net, theta);
    return tf.valueAndGrads((...p: tf.Tensor[]) => crossEntropySum(net, p, batch))(params);
  });
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
