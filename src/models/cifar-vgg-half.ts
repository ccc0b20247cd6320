// CIFAR-VGG-half (the original's build_vgg_half): VGG-11 with half the channels and the last conv
// block removed, no batch norm (original-conventions.md §3.5); 1,918,666 parameters.
import { networkOf, sequential } from './compose.js';
import { conv2d, dense, dropout, flatten, maxPool2, type Layer } from './layers.js';

// Channel plan, 'P' = 2×2 max-pool: 32, P, 64, P, 128, 128, P, 256, 256, P (spec §3.5).
const PLAN = [32, 'P', 64, 'P', 128, 128, 'P', 256, 256, 'P'] as const;

function features(): Layer[] {
  const layers: Layer[] = [];
  let channels = 3;
  let n = 0;
  for (const step of PLAN) {
    if (step === 'P') {
      layers.push(maxPool2());
    } else {
      layers.push(conv2d(`conv2D_${++n}`, { size: 3, in: channels, out: step, activation: 'relu' }));
      channels = step;
    }
  }
  return layers; // 2×2×256
}

export const cifarVggHalf = networkOf({
  name: 'cifar-vgg-half',
  inputShape: [32, 32, 3],
  numClasses: 10,
  body: sequential([
    ...features(),
    flatten(), // 1024
    dense('fc_1', { in: 1024, out: 512, activation: 'relu' }),
    dropout(0.5),
    dense('fc_2', { in: 512, out: 512, activation: 'relu' }),
    dropout(0.5),
    dense('fc_3', { in: 512, out: 10, activation: 'linear' }),
  ]),
});
