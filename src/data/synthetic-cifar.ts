// A deterministic stand-in for CIFAR-10 (32×32×3, 10 classes) generated from a seed, small enough
// for the CIFAR networks on wasm and needing no download. It is NOT CIFAR-10: results on it say
// nothing about the paper's figures, and the dataset says so (`synthetic: true`).

import { RandomState } from './mt19937.js';
import type { LoadedDataset } from './types.js';
import { assembleDataset, type RawImageSet } from './imageset.js';
import { CIFAR_CLASSES, CIFAR_SHAPE } from './cifar10.js';

export interface SyntheticOptions {
  seed?: number; // default 0
  trainCount?: number; // default 5,000: 20 iterations of batch 250 per epoch
  valCount?: number; // default 1,000
}

const SIZE = 32;
const PERIOD = 32; // every wave has a whole number of periods across the image, so shifts are phase changes
// On a background colour shared by all classes, two plane waves per class, with (fy, fx) frequency pairs that no two classes share; their colours
// and phases are random. A random translation of each image moves the waves' phases, so a class is
// told by its frequencies and colours (what a conv net learns), not by fixed pixel positions.
const FREQUENCIES: readonly [number, number][][] = [
  [[1, 0], [0, 2]], [[0, 1], [2, 1]], [[1, 1], [3, 0]], [[1, 2], [0, 3]], [[2, 0], [1, 3]],
  [[2, 2], [0, 1]], [[1, 3], [2, 0]], [[3, 1], [1, 1]], [[2, 3], [1, 0]], [[3, 3], [0, 2]],
];
const WAVE_AMPLITUDE = 0.18;
const NOISE = 0.2; // half-width of the per-pixel triangular noise, in [0, 1] pixel units
const MAX_SHIFT = 4;

interface Wave {
  fy: number;
  fx: number;
  colour: number[]; // [3]
  table: Float64Array; // [32]: table[k] = sin(2πk/32 + φ)
}

const uniform = (rng: RandomState, lo: number, hi: number): number => lo + (hi - lo) * rng.randomDouble();

function drawTemplates(rng: RandomState): Wave[][] {
  return FREQUENCIES.map((pairs) =>
    pairs.map(([fy, fx]) => {
      const colour = [0, 1, 2].map(() => uniform(rng, -1, 1));
      const phase = uniform(rng, 0, 2 * Math.PI);
      const table = Float64Array.from({ length: PERIOD }, (_, k) => Math.sin((2 * Math.PI * k) / PERIOD + phase));
      return { fy, fx, colour, table };
    }),
  );
}

/**
 * `count` images: a uniform label, a background colour that is the same for every class (so the mean
 * colour tells nothing), a shift of up to ±4 pixels, a contrast in [0.7, 1.3], then triangular
 * per-pixel noise; uint8 NHWC, as a real dataset is stored.
 */
function drawImages(templates: Wave[][], rng: RandomState, count: number): RawImageSet {
  const images = new Uint8Array(count * SIZE * SIZE * 3);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.randomInterval(CIFAR_CLASSES - 1);
    const base = [0, 1, 2].map(() => uniform(rng, 0.35, 0.65));
    const dy = rng.randomInterval(2 * MAX_SHIFT) - MAX_SHIFT + PERIOD; // + PERIOD keeps indices non-negative
    const dx = rng.randomInterval(2 * MAX_SHIFT) - MAX_SHIFT + PERIOD;
    const gain = WAVE_AMPLITUDE * (0.7 + 0.6 * rng.randomDouble());
    const [a, b] = templates[label];
    labels[i] = label;
    let at = i * SIZE * SIZE * 3;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const sa = gain * a.table[(a.fy * (y + dy) + a.fx * (x + dx)) % PERIOD];
        const sb = gain * b.table[(b.fy * (y + dy) + b.fx * (x + dx)) % PERIOD];
        for (let c = 0; c < 3; c++) {
          // The two 16-bit halves of one draw, summed: triangular on (−1, 1), one MT19937 output per value.
          const r = rng.nextUint32();
          const noise = ((r & 0xffff) + (r >>> 16)) / 65536 - 1;
          const v = base[c] + a.colour[c] * sa + b.colour[c] * sb + NOISE * noise;
          images[at++] = Math.round(255 * Math.min(1, Math.max(0, v)));
        }
      }
    }
  }
  return { images, labels, count };
}

/**
 * Class templates from RandomState(seed), training images from RandomState(seed + 1) and validation
 * images from RandomState(seed + 2), so that either count can change without changing the other set.
 */
export function generateSyntheticCifar(options: SyntheticOptions = {}): LoadedDataset {
  const seed = options.seed ?? 0;
  const templates = drawTemplates(new RandomState(seed));
  const train = drawImages(templates, new RandomState(seed + 1), options.trainCount ?? 5000);
  const val = drawImages(templates, new RandomState(seed + 2), options.valCount ?? 1000);
  const source = `generated (seed ${seed}; ${train.count} train, ${val.count} val)`;
  return { ...assembleDataset('synthetic-cifar', source, CIFAR_SHAPE, CIFAR_CLASSES, train, val), synthetic: true };
}
