// synthetic-cifar: deterministic from its seed, CIFAR-shaped, flagged as synthetic, and learnable only
// from shift-invariant structure (wave frequencies), not from the mean colour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../src/data/dataset.js';
import type { ImageSet } from '../src/data/types.js';
import { generateSyntheticCifar } from '../src/data/synthetic-cifar.js';

const small = { trainCount: 600, valCount: 300 };

test('the same seed gives the same data; another seed different data; counts are independent', () => {
  const a = generateSyntheticCifar(small);
  const b = generateSyntheticCifar(small);
  assert.equal(a.fingerprint, b.fingerprint);
  assert.notEqual(generateSyntheticCifar({ ...small, seed: 1 }).fingerprint, a.fingerprint);
  // Validation images do not depend on how many training images were drawn.
  const more = generateSyntheticCifar({ trainCount: 700, valCount: 300 });
  assert.deepEqual(more.val.images, a.val.images);
  assert.deepEqual(more.train.images.subarray(0, a.train.images.length), a.train.images);
});

test('CIFAR-shaped, pixels k/255 in [0, 1], labels below 10, and flagged synthetic', () => {
  const ds = generateSyntheticCifar(small);
  assert.equal(ds.name, 'synthetic-cifar');
  assert.equal(ds.synthetic, true);
  assert.deepEqual(ds.imageShape, [32, 32, 3]);
  assert.equal(ds.numClasses, 10);
  assert.equal(ds.train.count, 600);
  assert.equal(ds.val.count, 300);
  assert.equal(ds.train.images.length, 600 * 3072);
  assert.ok(ds.train.images.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4));
  assert.ok(ds.train.labels.every((l) => l < 10));
  assert.equal(new Set(ds.train.labels).size, 10);
  assert.match(ds.source, /^generated \(seed 0; 600 train, 300 val\)$/);
});

test('loadDataset knows the name; the defaults are 5,000 training and 1,000 validation images', () => {
  const ds = loadDataset('synthetic-cifar', { projectRoot: '/nonexistent', env: {} });
  assert.equal(ds.train.count, 5000);
  assert.equal(ds.val.count, 1000);
  assert.equal(ds.synthetic, true);
});

/** Per channel, |DFT| at the 15 non-zero frequencies (fy, fx) ∈ {0..3}²: invariant to translation. */
function spectrum(set: ImageSet, i: number): number[] {
  const features: number[] = [];
  for (let fy = 0; fy < 4; fy++) {
    for (let fx = 0; fx < 4; fx++) {
      if (fy === 0 && fx === 0) continue;
      for (let c = 0; c < 3; c++) {
        let re = 0;
        let im = 0;
        for (let y = 0; y < 32; y++) {
          for (let x = 0; x < 32; x++) {
            const angle = (2 * Math.PI * (fy * y + fx * x)) / 32;
            const v = set.images[i * 3072 + (y * 32 + x) * 3 + c];
            re += v * Math.cos(angle);
            im -= v * Math.sin(angle);
          }
        }
        features.push(Math.hypot(re, im) / 1024);
      }
    }
  }
  return features;
}

/** Validation accuracy of the nearest class centroid of the training features. */
function nearestCentroidAccuracy(train: ImageSet, val: ImageSet, feature: (set: ImageSet, i: number) => number[]): number {
  const sums: number[][] = [];
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < train.count; i++) {
    const f = feature(train, i);
    const k = train.labels[i];
    sums[k] = sums[k] === undefined ? f : sums[k].map((s, j) => s + f[j]);
    counts[k]++;
  }
  const centroids = sums.map((s, k) => s.map((v) => v / counts[k]));
  let correct = 0;
  for (let i = 0; i < val.count; i++) {
    const f = feature(val, i);
    const distance = (c: number[]) => c.reduce((d, v, j) => d + (v - f[j]) ** 2, 0);
    const best = centroids.reduce((b, c, k) => (distance(c) < distance(centroids[b]) ? k : b), 0);
    if (best === val.labels[i]) correct++;
  }
  return correct / val.count;
}

test('learnable from shift-invariant structure, not from the mean colour', () => {
  const ds = generateSyntheticCifar({ trainCount: 300, valCount: 200 });
  const meanColour = (set: ImageSet, i: number) => [0, 1, 2].map((c) => {
    let sum = 0;
    for (let p = 0; p < 1024; p++) sum += set.images[i * 3072 + 3 * p + c];
    return sum / 1024;
  });
  const byColour = nearestCentroidAccuracy(ds.train, ds.val, meanColour);
  const bySpectrum = nearestCentroidAccuracy(ds.train, ds.val, spectrum);
  assert.ok(byColour < 0.2, `mean colour gives ${byColour} (chance is 0.1)`);
  assert.ok(bySpectrum > 0.9, `the spectrum gives ${bySpectrum}`);
});
