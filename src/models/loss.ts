// The training objective on one batch: summed softmax cross-entropy (the original's
// `loss_cross_ent` times the batch size; no L2 term, as LCA uses CE only) and its gradient.
// The `…With` forms take θ already on the backend, so that a many-batch evaluation uploads θ once
// per point rather than once per batch.
import * as tf from '@tensorflow/tfjs';
import { layoutOf, type FirstLayerSplit, type Network } from './network.js';

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

const crossEntropyOfLogits = (logits: tf.Tensor2D, batch: Batch): tf.Scalar =>
  tf.neg(tf.sum(tf.mul(batch.oneHot, tf.logSoftmax(logits))));

const crossEntropySum = (net: Network, params: readonly tf.Tensor[], batch: Batch): tf.Scalar =>
  crossEntropyOfLogits(net.logits(params, batch.images), batch);

/** Adds `scale` × each variable's gradient into the flat float64 `gradient`, then disposes the tensors; returns the loss. */
function download(net: Network, value: tf.Scalar, grads: tf.Tensor[], gradient: Float64Array, scale: number): number {
  const { slots } = layoutOf(net.variables);
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
  const { value, grads } = tf.tidy(() => tf.valueAndGrads((...p: tf.Tensor[]) => crossEntropySum(net, p, batch))(params));
  return download(net, value, grads, gradient, scale);
}

/**
 * As `accumulateLossAndGradientWith` through a first-layer split, given the transpose xᵀ [in, n] of
 * the first layer's input and its pre-activations z [n, out], computed or interpolated by the caller: the rest of the
 * network is differentiated with respect to z and the other variables, and the first layer's
 * gradients follow as ∂L/∂W = xᵀ·∂L/∂z and ∂L/∂b = Σ_rows ∂L/∂z.
 */
export function accumulateSplitLossAndGradient(
  net: Network, split: FirstLayerSplit, params: tf.Tensor[], xT: tf.Tensor2D, z: tf.Tensor2D, batch: Batch, gradient: Float64Array, scale: number,
): number {
  const others = params.map((_, v) => v).filter((v) => v !== split.kernel && v !== split.bias);
  const { value, grads } = tf.tidy(() => {
    const loss = (zv: tf.Tensor, ...o: tf.Tensor[]) => {
      const all = params.slice();
      o.forEach((t, k) => (all[others[k]] = t));
      return crossEntropyOfLogits(split.rest(all, zv as tf.Tensor2D), batch);
    };
    const { value, grads: [dz, ...rest] } = tf.valueAndGrads(loss)([z, ...others.map((v) => params[v])]);
    const byVariable: tf.Tensor[] = new Array<tf.Tensor>(params.length);
    others.forEach((v, k) => (byVariable[v] = rest[k]));
    byVariable[split.kernel] = tf.matMul(xT, dz as tf.Tensor2D);
    byVariable[split.bias] = tf.sum(dz, 0);
    return { value, grads: byVariable };
  });
  return download(net, value, grads, gradient, scale);
}

/** As `accumulateLossAndGradientWith`, uploading θ for this one batch. */
export const accumulateLossAndGradient = (
  net: Network, theta: Float32Array, batch: Batch, gradient: Float64Array, scale: number,
): number => withParameters(net, theta, (params) => accumulateLossAndGradientWith(net, params, batch, gradient, scale));
