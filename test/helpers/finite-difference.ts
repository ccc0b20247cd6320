// Central finite differences of a network's batch loss against its analytic gradient, per variable.
import * as tf from '@tensorflow/tfjs';
import { RandomState } from '../../src/data/mt19937.js';
import { initialParameters } from '../../src/models/init.js';
import { accumulateLossAndGradient, batchLossSum, type Batch } from '../../src/models/loss.js';
import { layoutOf, type Network } from '../../src/models/network.js';

export interface DirectionalCheck {
  name: string;
  /** |g_v|: the analytic derivative along g_v/|g_v| (g_v = the gradient restricted to variable v). */
  analytic: number;
  /** (L(θ + εd) − L(θ − εd)) / 2ε along the same direction d = g_v/|g_v|, in float32 on the backend. */
  numeric: number;
}

/** θ_0 of `seed`, with biases, γ and β moved off their zero/one initial values so their gradients are generic. */
export function genericTheta(net: Network, seed: number): Float32Array {
  const theta = initialParameters(net.variables, seed);
  const rng = new RandomState(seed + 1);
  for (const slot of layoutOf(net.variables).slots) {
    if (slot.init === 'he_truncated_normal') continue;
    for (let i = slot.offset; i < slot.offset + slot.size; i++) theta[i] += 0.1 * rng.standardNormal();
  }
  return theta;
}

/** `n` uniform [0, 1) images of the network's input shape with labels 0, 1, 2, …, on the backend. */
export function randomBatch(net: Network, n: number, seed: number): Batch {
  const [h, w, c] = net.inputShape;
  const rng = new RandomState(seed);
  const pixels = Float32Array.from({ length: n * h * w * c }, () => rng.randomDouble());
  return tf.tidy(() => ({
    images: tf.tensor4d(pixels, [n, h, w, c]),
    oneHot: tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % net.numClasses), 'int32'), net.numClasses).toFloat() as tf.Tensor2D,
  }));
}

/**
 * For each variable v (or those `select` keeps), the derivative of the summed batch loss along
 * d = g_v/|g_v|: numerically it is g_true·g_v/|g_v|, which equals |g_v| only where g_v = g_true
 * (any error comparable to |g_v| in size moves the two apart). The step ε = step/|g_v| moves the
 * float32 loss by about `step` nats: well above its round-off, small against the curvature.
 */
export function directionalChecks(
  net: Network, theta: Float32Array, batch: Batch, step: number, select: (name: string) => boolean = () => true,
): DirectionalCheck[] {
  const { slots, total } = layoutOf(net.variables);
  const gradient = new Float64Array(total);
  accumulateLossAndGradient(net, theta, batch, gradient, 1);
  return slots.filter((s) => select(s.name)).map((slot) => {
    const g = gradient.subarray(slot.offset, slot.offset + slot.size);
    let squares = 0;
    for (const v of g) squares += v * v;
    const norm = Math.sqrt(squares);
    const eps = step / Math.max(norm, 1e-3);
    const lossAt = (sign: number): number => {
      const moved = Float32Array.from(theta);
      if (norm > 0) for (let i = 0; i < slot.size; i++) moved[slot.offset + i] += (sign * eps * g[i]) / norm;
      return batchLossSum(net, moved, batch);
    };
    return { name: slot.name, analytic: norm, numeric: (lossAt(1) - lossAt(-1)) / (2 * eps) };
  });
}

/** |numeric − analytic| / analytic. */
export const relativeError = (c: DirectionalCheck): number => Math.abs(c.numeric - c.analytic) / c.analytic;
