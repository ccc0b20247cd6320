// CIFAR-ResNet-20 (ResNet v1 after Keras' cifar10_resnet.py) as the original builds it
// (original-conventions.md §3.4): 273,066 parameters in 82 variables, `fc_last` = 80, 81.
import { networkOf, residual, sequential } from './compose.js';
import { batchNorm, conv2d, dense, globalAveragePool, relu, type Layer } from './layers.js';

/**
 * Block `block_<id>`: conv2D_1 (3×3, stride s) → batch_norm_1 → ReLU → conv2D_2 → batch_norm_2,
 * added to the shortcut, then ReLU. Where the block halves the size (2A, 3A) the shortcut is a 1×1
 * stride-2 conv with bias and no BN (`shortcut_conv`), a projection rather than zero padding.
 * Variable order conv1 k, b; bn1 γ, β; conv2 k, b; bn2 γ, β; [shortcut k, b], as the index map.
 */
function block(id: string, cin: number, cout: number, stride: number): Layer {
  const p = `block_${id}`;
  const main = sequential([
    conv2d(`${p}/conv2D_1`, { size: 3, in: cin, out: cout, stride, activation: 'linear' }),
    batchNorm(`${p}/batch_norm_1`, cout),
    relu(),
    conv2d(`${p}/conv2D_2`, { size: 3, in: cout, out: cout, activation: 'linear' }),
    batchNorm(`${p}/batch_norm_2`, cout),
  ]);
  const shortcut = stride === 1 ? undefined : conv2d(`${p}/shortcut_conv`, { size: 1, in: cin, out: cout, stride, activation: 'linear' });
  return residual(main, shortcut);
}

/** Three stages of three blocks, widths 16, 32, 64; the first block of stages 2 and 3 has stride 2. */
const stages = [16, 32, 64].flatMap((width, s) =>
  ['A', 'B', 'C'].map((letter, b) => {
    const first = b === 0 && s > 0;
    return block(`${s + 1}${letter}`, first ? width / 2 : width, width, first ? 2 : 1);
  }),
);

export const cifarResnet20 = networkOf({
  name: 'cifar-resnet20',
  inputShape: [32, 32, 3],
  numClasses: 10,
  body: sequential([
    conv2d('conv2D_1', { size: 3, in: 3, out: 16, activation: 'linear' }),
    batchNorm('batch_norm_1', 16),
    relu(),
    ...stages, // 8×8×64
    globalAveragePool(), // [N, 64]
    dense('fc_last', { in: 64, out: 10, activation: 'linear' }),
  ]),
});
