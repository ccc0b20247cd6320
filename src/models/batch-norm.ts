// Batch norm in training mode as one differentiable op whose gradient keeps only x̂ and 1/σ alive,
// instead of every intermediate of moments + batchNorm (which broke wasm's 4 GB heap, see below).

import * as tf from '@tensorflow/tfjs';

/**
 * Σ over N, H, W per channel, one axis at a time (W, then H, then N). wasm sums in float32 from front to
 * back, so one sum over all N·H·W values rounds like a running sum of 102,400 terms (ResNet-20's first
 * stage at 100 images): 8.5e-6 relative where this gets 2.5e-7, and the gradient 10–1000× further from a
 * float64 reference than ONNX Runtime's (docs/engine.md: Against a float64 reference).
 */
const channelSums = (x: tf.Tensor4D): tf.Tensor1D => tf.sum(tf.sum(tf.sum(x, 2), 1), 0);

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
    const m = input.size / input.shape[3];
    const centred = tf.sub(input, tf.div(channelSums(input), m));
    const rstd = tf.rsqrt(tf.add(tf.div(channelSums(tf.square(centred) as tf.Tensor4D), m), epsilon)); // [C]
    const normalised = tf.mul(centred, rstd); // x̂ [N, H, W, C]
    save([normalised, rstd, scale]);
    return {
      value: tf.add(tf.mul(normalised, scale), offset) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, r, g] = saved;
        const m = xHat.size / xHat.shape[3]!;
        const dBeta = channelSums(dy as tf.Tensor4D);
        const dGamma = channelSums(tf.mul(dy, xHat) as tf.Tensor4D);
        const inner = tf.sub(tf.sub(dy, tf.div(dBeta, m)), tf.mul(xHat, tf.div(dGamma, m)));
        return [tf.mul(inner, tf.mul(g, r)), dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}
