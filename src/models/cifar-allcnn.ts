// CIFAR-AllCNN (after Springenberg et al. 2014), exactly as the original builds it
// (original-conventions.md §3.3): 1,371,658 parameters in 30 variables.
import { networkOf, sequential } from './compose.js';
import { batchNorm, conv2d, dropout, globalAveragePool, relu, type Layer } from './layers.js';

/** conv → BN → ReLU, the unit every non-strided 3×3 / 1×1 layer uses. */
const convBnRelu = (n: number, size: number, cin: number, cout: number): Layer[] => [
  conv2d(`conv2D_${n}`, { size, in: cin, out: cout, activation: 'linear' }),
  batchNorm(`batch_norm_${n}`, cout),
  relu(),
];

// The two stride-2 convs are purely linear, with no BN: a quirk of the original code, kept (spec §3.3, §11.8).
const stridedConv = (n: number, channels: number): Layer =>
  conv2d(`conv2D_strided_${n}`, { size: 3, in: channels, out: channels, stride: 2, activation: 'linear' });

export const cifarAllcnn = networkOf({
  name: 'cifar-allcnn',
  inputShape: [32, 32, 3],
  numClasses: 10,
  body: sequential([
    ...convBnRelu(1, 3, 3, 96),
    ...convBnRelu(2, 3, 96, 96),
    stridedConv(1, 96), // 16×16×96
    dropout(0.5),
    ...convBnRelu(3, 3, 96, 192),
    ...convBnRelu(4, 3, 192, 192),
    stridedConv(2, 192), // 8×8×192
    dropout(0.5),
    ...convBnRelu(5, 3, 192, 192),
    ...convBnRelu(6, 1, 192, 192),
    conv2d('conv2D_7', { size: 1, in: 192, out: 10, activation: 'linear' }), // 8×8×10
    globalAveragePool(), // logits [N, 10]
  ]),
});
