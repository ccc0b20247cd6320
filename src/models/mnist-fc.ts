// MNIST-FC, the paper's fully connected net: 784-100-50-10 with ReLU (original-conventions.md §3.1).
// Its first layer is dense on the raw pixels, so it exposes the first-layer split that `lca compute` uses.
import * as tf from '@tensorflow/tfjs';
import { networkOf, sequential } from './compose.js';
import { dense, flatten, relu } from './layers.js';
import type { Network } from './network.js';

const after = sequential([
  relu(), // fc_1's activation
  dense('fc_2', { in: 100, out: 50, activation: 'relu' }),
  dense('fc_3', { in: 50, out: 10, activation: 'linear' }),
]);

export const mnistFc: Network = {
  ...networkOf({
    name: 'mnist-fc',
    inputShape: [28, 28, 1],
    numClasses: 10,
    body: sequential([
      flatten(), // 784
      dense('fc_1', { in: 784, out: 100, activation: 'relu' }),
      dense('fc_2', { in: 100, out: 50, activation: 'relu' }),
      dense('fc_3', { in: 50, out: 10, activation: 'linear' }),
    ]),
  }),
  firstLayer: {
    kernel: 0, // fc_1/kernel
    bias: 1, // fc_1/bias
    input: (images) => tf.reshape(images, [images.shape[0], 784]),
    rest: (params, z) => after.apply(params.slice(2), z) as tf.Tensor2D,
  },
};
