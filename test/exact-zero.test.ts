// A first-layer weight on a pixel that is black in every training image gets zero gradient, so
// neither SGD nor Adam moves it and its LCA is exactly 0.0 at every iteration — the paper's
// "zero" class (original-conventions.md §11, "exact zeros"). In-memory data, no files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../src/backend/init.js';
import type { ImageSet } from '../src/data/types.js';
import { RandomState } from '../src/data/mt19937.js';
import { FullDatasetObjective } from '../src/lca/full-dataset.js';
import { integrateSegment, type Evaluation } from '../src/lca/integrate.js';
import { initialParameters } from '../src/models/init.js';
import { mnistFc } from '../src/models/mnist-fc.js';
import { train } from '../src/train/loop.js';
import { adam, sgd } from '../src/train/optimizers.js';

const BLACK_ROWS = 3; // the top three pixel rows are 0 in every image

function syntheticSet(count: number): ImageSet {
  const rng = new RandomState(7);
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    labels[n] = n % 10;
    for (let p = BLACK_ROWS * 28; p < 784; p++) images[n * 784 + p] = rng.randomDouble() * (1 + (labels[n] === p % 10 ? 1 : 0));
  }
  return { images, labels, count };
}

for (const [name, makeOptimizer] of [['sgd', () => sgd(84060, 0.05, 0.9)], ['adam', () => adam(84060, 0.001, 0.9, 0.999, 1e-8)]] as const) {
  test(`${name}: weights on always-black pixels have LCA exactly 0; every other parameter moves`, async () => {
    await initBackend('wasm');
    const set = syntheticSet(500);
    const iterates: Float32Array[] = [];
    await train(mnistFc, set, initialParameters(mnistFc.variables, 3), makeOptimizer(), { iterations: 3, batchSize: 100, seed: 0 },
      async (_t, theta) => void iterates.push(theta.slice()));
    const objective = new FullDatasetObjective(mnistFc, set, 250);
    const evaluate = (theta: Float32Array): Evaluation => {
      const r = objective.lossAndGradient(theta);
      return { losses: [r.loss], gradients: [r.gradient] };
    };
    try {
      for (let t = 0; t < 3; t++) {
        const { lca } = await integrateSegment(iterates[t], iterates[t + 1], evaluate(iterates[t]), evaluate(iterates[t + 1]),
          (theta) => evaluate(theta).gradients, { method: 'simpson', tolerance: 1e-3, maxSplits: 32 });
        const blackWeights = BLACK_ROWS * 28 * 100; // fc_1/kernel rows 0 … 83, 100 units each
        for (let i = 0; i < blackWeights; i++) assert.equal(lca[0][i], 0, `weight ${i} at iteration ${t}`);
        let nonzero = 0;
        for (let i = blackWeights; i < lca[0].length; i++) nonzero += +(lca[0][i] !== 0);
        assert.ok(nonzero > 0.9 * (lca[0].length - blackWeights), `only ${nonzero} non-zero LCA values`);
      }
    } finally {
      objective.dispose();
    }
  });
}
