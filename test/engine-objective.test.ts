// The ONNX Runtime full-dataset objective against the TF.js one: the same L and ∇L over the whole set,
// a subset, and per class; the same bytes from run to run; batch-norm networks refuse per-class batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../src/backend/init.js';
import { OrtFullDatasetObjective } from '../src/engine/objective.js';
import { UsageError } from '../src/errors.js';
import { FullDatasetObjective, type LossAndGradient } from '../src/lca/full-dataset.js';
import { genericTheta } from './helpers/finite-difference.js';
import { networkNamed } from '../src/models/registry.js';
import { RandomState } from '../src/data/mt19937.js';
import type { ImageSet } from '../src/data/types.js';

const ENGINE = { provider: 'cpu', threads: 2 } as const;

function randomSet(count: number, pixels: number, seed: number): ImageSet {
  const rng = new RandomState(seed);
  return {
    images: Float32Array.from({ length: count * pixels }, () => rng.randomDouble()),
    labels: Uint8Array.from({ length: count }, (_, i) => (i * 7) % 10),
    count,
  };
}

const relativeError = (a: Float64Array, b: Float64Array): number => {
  let difference = 0;
  let size = 0;
  for (let i = 0; i < a.length; i++) {
    difference = Math.max(difference, Math.abs(a[i] - b[i]));
    size = Math.max(size, Math.abs(b[i]));
  }
  return difference / size;
};

function assertClose(got: LossAndGradient, expected: LossAndGradient): void {
  assert.ok(Math.abs(got.loss - expected.loss) < 1e-6 * expected.loss, `loss ${got.loss} vs ${expected.loss}`);
  assert.ok(relativeError(got.gradient, expected.gradient) < 1e-5, `gradient off by ${relativeError(got.gradient, expected.gradient)}`);
}

test('MNIST-FC: whole set, subset and per class as the TF.js objective; the same bytes twice', async () => {
  await initBackend('wasm');
  const net = networkNamed('mnist-fc');
  const set = randomSet(250, 784, 1);
  const theta = genericTheta(net, 2);
  const indices = Int32Array.from({ length: 90 }, (_, i) => (i * 37) % 250);
  for (const options of [{}, { indices }, { byClass: true }]) {
    const ort = await OrtFullDatasetObjective.open(net, set, 64, ENGINE, options);
    const reference = new FullDatasetObjective(net, set, 64, options);
    try {
      const got = await ort.lossAndGradient(theta);
      const expected = reference.lossAndGradient(theta);
      assertClose(got, expected);
      assert.equal(ort.count, reference.count);
      assert.deepEqual(ort.classCounts, reference.classCounts);
      if (options.byClass) {
        got.classes!.gradients.forEach((g, c) => assert.ok(relativeError(g, expected.classes!.gradients[c]) < 1e-5, `class ${c}`));
        got.classes!.losses.forEach((l, c) => assert.ok(Math.abs(l - expected.classes!.losses[c]) < 1e-5, `class ${c} loss`));
      }
      const again = await ort.lossAndGradient(theta);
      assert.equal(again.loss, got.loss);
      assert.deepEqual(Buffer.from(again.gradient.buffer), Buffer.from(got.gradient.buffer));
      assert.equal(await ort.loss(theta), got.loss);
    } finally {
      reference.dispose();
      await ort.dispose();
    }
  }
});

test('a batch-norm network refuses per-class batches, as the TF.js objective does', async () => {
  const net = networkNamed('cifar-resnet20');
  await assert.rejects(OrtFullDatasetObjective.open(net, randomSet(4, 32 * 32 * 3, 1), 4, ENGINE, { byClass: true }), UsageError);
});

test('sessions: batches evaluated at once in worker threads sum to the same bytes as one session, per class too, at each new θ', async () => {
  const net = networkNamed('mnist-fc');
  const set = randomSet(250, 784, 3);
  const theta = genericTheta(net, 4);
  const one = { provider: 'cpu', threads: 1 } as const;
  for (const options of [{}, { byClass: true }]) {
    const single = await OrtFullDatasetObjective.open(net, set, 40, one, options);
    const pooled = await OrtFullDatasetObjective.open(net, set, 40, { ...one, sessions: 3 }, options);
    try {
      const expected = await single.lossAndGradient(theta);
      for (const at of [theta, genericTheta(net, 5), theta]) {
        const got = await pooled.lossAndGradient(at);
        const reference = at === theta ? expected : await single.lossAndGradient(at);
        assert.equal(got.loss, reference.loss);
        assert.deepEqual(Buffer.from(got.gradient.buffer), Buffer.from(reference.gradient.buffer), 'a new θ reaches every session');
        got.classes?.gradients.forEach((g, c) => assert.deepEqual(Buffer.from(g.buffer), Buffer.from(reference.classes!.gradients[c].buffer), `class ${c}`));
      }
    } finally {
      await single.dispose();
      await pooled.dispose();
    }
  }
});
