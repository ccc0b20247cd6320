// MNIST-LeNet, the original's "slightly modified lenet": two 5×5 convs with max-pooling, then
// 1960-400-10 (original-conventions.md §3.2); 808,970 parameters in 8 variables, no batch norm.
import { networkOf, sequential } from './compose.js';
import { conv2d, dense, dropout, flatten, maxPool2 } from './layers.js';

export const mnistLenet = networkOf({
  name: 'mnist-lenet',
  inputShape: [28, 28, 1],
  numClasses: 10,
  body: sequential([
    conv2d('conv2D_1', { size: 5, in: 1, out: 20, activation: 'relu' }),
    maxPool2(), // 14×14×20
    conv2d('conv2D_2', { size: 5, in: 20, out: 40, activation: 'relu' }),
    maxPool2(), // 7×7×40
    flatten(), // 1960
    dropout(0.25),
    dense('fc_1', { in: 1960, out: 400, activation: 'relu' }),
    dropout(0.5),
    dense('fc_2', { in: 400, out: 10, activation: 'linear' }),
  ]),
});
