// Batch norm in training mode as one differentiable op whose gradient keeps only x̂ and 1/σ alive,
// instead of every intermediate of moments + batchNorm (which broke wasm's 4 GB heap, see below).

import * as tf from '@tensorflow/tfjs';

const AXES = [0, 1, 2]; // N, H, W: one mean and variance per channel

/**
 * y = γ·x̂ + β with x̂ = (x − μ)/σ, σ = sqrt(var + ε), μ and the biased var taken over N, H, W of
 * this batch. The gradient flows through μ and σ (the standard result, e.g. Ioffe & Szegedy 2015 §3):
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = (γ/σ)·(dy − dβ/m − x̂·dγ/m),  m = N·H·W.
 * Composed from tf.moments and tf.batchNorm instead, the tape kept x − μ, (x − μ)², the output and
 * the stock gradient's temporaries: CIFAR-AllCNN at batch 250 then aborted on wasm's 4 GB heap.
 */
export function batchNormTraining(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, offset] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const centred = tf.sub(input, tf.mean(input, AXES));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), AXES), epsilon)); // [C]
    const normalised = tf.mul(centred, rstd); // x̂ [N, H, W, C]
    save([normalised, rstd, scale]);
    return {
      value: tf.add(tf.mul(normalised, scale), offset) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, r, g] = saved;
        const m = xHat.size / xHat.shape[3]!;
        const dBeta = tf.sum(dy, AXES);
        const dGamma = tf.sum(tf.mul(dy, xHat), AXES);
        const inner = tf.sub(tf.sub(dy, tf.div(dBeta, m)), tf.mul(xHat, tf.div(dGamma, m)));
        return [tf.mul(inner, tf.mul(g, r)), dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}
