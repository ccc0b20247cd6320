// MNIST-FC, the paper's fully connected net: 784-100-50-10 with ReLU (original-conventions.md §3.1).
import { networkOf, sequential } from './compose.js';
import { dense, flatten } from './layers.js';

export const mnistFc = networkOf({
  name: 'mnist-fc',
  inputShape: [28, 28, 1],
  numClasses: 10,
  body: sequential([
    flatten(), // 784
    dense('fc_1', { in: 784, out: 100, activation: 'relu' }),
    dense('fc_2', { in: 100, out: 50, activation: 'relu' }),
    dense('fc_3', { in: 50, out: 10, activation: 'linear' }),
  ]),
});
