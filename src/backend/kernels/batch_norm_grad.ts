// The FusedBatchNorm gradient with dx computed by broadcasting instead of tile (every backend).
//
// Core's gradient tiles rsqrt(variance) [C] up to the whole NHWC tensor before multiplying, and
// wasm Tile is slow (tfjs-probe.md §3). A broadcasting Mul gives the same dx; the other four
// gradients (mean, variance, scale, offset) are the stock ones. Gradients are registered per
// kernel, not per backend, so this applies to whichever backend runs.

import * as tf from '@tensorflow/tfjs';

let stock: tf.GradConfig | undefined;

function withBroadcastDx(original: tf.GradConfig): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const grads = original.gradFunc(dy, saved, attrs);
      const [x, , variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const epsilon = attrs['varianceEpsilon'] as number;
      grads['x'] = () => {
        const rstd = tf.rsqrt(tf.add(variance, tf.scalar(epsilon))); // [C] or x's shape
        const dx = tf.mul(dy as tf.Tensor, rstd);
        return tf.reshape(scale == null ? dx : tf.mul(dx, scale), x.shape);
      };
      return grads;
    },
  };
}

/** Registers the tile-free gradient once per process; returns the names it reports as replaced. */
export function replaceBatchNormGradient(): string[] {
  if (stock == null) {
    const original = tf.getGradient(tf.FusedBatchNorm);
    if (original == null) return [];
    stock = original;
    tf.unregisterGradient(tf.FusedBatchNorm);
    tf.registerGradient(withBroadcastDx(original));
  }
  return ['FusedBatchNorm gradient'];
}

/** Puts core's gradient back (for tests that compare both). */
export function restoreBatchNormGradient(): void {
  if (stock == null) return;
  tf.unregisterGradient(tf.FusedBatchNorm);
  tf.registerGradient(stock);
  stock = undefined;
}
