// Moving examples onto the backend: a contiguous slice or a gathered minibatch of an ImageSet as
// image and one-hot label tensors.
import * as tf from '@tensorflow/tfjs';
import { gatherExamples } from '../data/imageset.js';
import type { ImageSet } from '../data/types.js';
import type { Network } from './network.js';
import type { Batch } from './loss.js';

/** `count` examples already in memory as a batch on the backend. */
export function batchOf(net: Network, images: Float32Array, labels: ArrayLike<number>, count: number): Batch {
  const [h, w, c] = net.inputShape;
  return {
    images: tf.tensor4d(images, [count, h, w, c]),
    oneHot: tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), net.numClasses).toFloat() as tf.Tensor2D),
  };
}

export const pixelsPerImage = (net: Network): number => net.inputShape.reduce((a, b) => a * b, 1);

/** Examples [start, start + count) in stored order. */
export function sliceBatch(net: Network, set: ImageSet, start: number, count: number): Batch {
  const pixels = pixelsPerImage(net);
  return batchOf(net, set.images.subarray(start * pixels, (start + count) * pixels), set.labels.subarray(start, start + count), count);
}

/** The examples at `indices` (a shuffled minibatch). */
export function gatherBatch(net: Network, set: ImageSet, indices: ArrayLike<number>): Batch {
  const { images, labels } = gatherExamples(set.images, set.labels, pixelsPerImage(net), indices);
  return batchOf(net, images, labels, indices.length);
}

export const disposeBatch = (batch: Batch): void => tf.dispose([batch.images, batch.oneHot]);
