// Loss and accuracy of one θ on a labelled set, forward only, batch by batch: what `lca train` reports
// at its end. Batches of `batchSize` (the training minibatch: batch-norm networks see the batch
// statistics they were trained with).
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/types.js';
import { batchOf, disposeBatch, pixelsPerImage } from './batches.js';
import { withParameters } from './loss.js';
import type { Network } from './network.js';

export interface Evaluated {
  /** Mean cross-entropy (nats). */
  loss: number;
  /** Fraction of images whose largest logit is their label. */
  accuracy: number;
}

export function evaluate(net: Network, theta: Float32Array, set: ImageSet, batchSize: number): Evaluated {
  const pixels = pixelsPerImage(net);
  let [lossSum, correct] = [0, 0];
  withParameters(net, theta, (params) => {
    for (let start = 0; start < set.count; start += batchSize) {
      const end = Math.min(set.count, start + batchSize);
      const batch = batchOf(net, set.images.subarray(start * pixels, end * pixels), set.labels.subarray(start, end), end - start);
      try {
        const [loss, hits] = tf.tidy(() => {
          const logits = net.logits(params, batch.images);
          const ce = tf.neg(tf.sum(tf.mul(batch.oneHot, tf.logSoftmax(logits))));
          return [ce, tf.sum(tf.equal(tf.argMax(logits, 1), tf.argMax(batch.oneHot, 1)).toInt())];
        });
        lossSum += loss.dataSync()[0];
        correct += hits.dataSync()[0];
        tf.dispose([loss, hits]);
      } finally {
        disposeBatch(batch);
      }
    }
  });
  return { loss: lossSum / Math.max(1, set.count), accuracy: correct / Math.max(1, set.count) };
}
