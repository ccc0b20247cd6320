// MNIST-FC, the paper's fully connected net: 784-100-50-10 with ReLU (original-conventions.md §3.1).
import * as tf from '@tensorflow/tfjs';
import type { Network, VariableSpec } from './network.js';
import { denseVariables } from './layers.js';

const widths = [784, 100, 50, 10];

const variables: VariableSpec[] = widths.slice(1).flatMap((out, i) => denseVariables(`fc_${i + 1}`, widths[i], out));

export const mnistFc: Network = {
  name: 'mnist-fc',
  inputShape: [28, 28, 1],
  numClasses: 10,
  variables,
  usesBatchStatistics: false,
  logits(params, images) {
    let h: tf.Tensor2D = tf.reshape(images, [images.shape[0], 784]);
    const layers = params.length / 2;
    for (let l = 0; l < layers; l++) {
      const kernel = params[2 * l] as tf.Tensor2D;
      const bias = params[2 * l + 1] as tf.Tensor1D;
      const isLast = l === layers - 1;
      h = tf.fused.matMul({ a: h, b: kernel, bias, activation: isLast ? 'linear' : 'relu' }) as tf.Tensor2D;
    }
    return h;
  },
};
