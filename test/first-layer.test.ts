// The first-layer split of MNIST-FC (design-pointers.md point 2): inside a segment the objective
// interpolates z = x·W + b between the endpoints instead of computing it. Checked against the plain
// path, for bit-identical endpoints whatever came before (what a resumed or sharded run relies on),
// and for tensor leaks. Real images from the bundled fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/init.js';
import { loadDataset } from '../src/data/dataset.js';
import { FullDatasetObjective } from '../src/lca/full-dataset.js';
import { pointOnSegment } from '../src/lca/integrate.js';
import { initialParameters } from '../src/models/init.js';
import { mnistFc } from '../src/models/mnist-fc.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function setUp() {
  await initBackend('wasm');
  const full = loadDataset('fashion-mnist-fixture', { projectRoot: root }).train;
  const count = 2000;
  const set = { images: full.images.subarray(0, count * 784), labels: full.labels.subarray(0, count), count };
  const start = initialParameters(mnistFc.variables, 0);
  const end = start.map((v, i) => v + 0.02 * Math.sin(i)); // a step of SGD's size in every coordinate
  return { set, start, end };
}

const maxAbs = (g: Float64Array) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('MNIST-FC split: rest(params, x·W + b) gives the plain gradient at endpoints and inside a segment', async (t) => {
  const { set, start, end } = await setUp();
  const split = new FullDatasetObjective(mnistFc, set, 500);
  const plain = new FullDatasetObjective(mnistFc, set, 500, { firstLayer: false });
  try {
    for (const theta of [start, end]) {
      const a = split.lossAndGradient(theta);
      const b = plain.lossAndGradient(theta);
      assert.ok(Math.abs(a.loss - b.loss) <= 1e-6 * Math.abs(b.loss), `loss ${a.loss} vs ${b.loss}`);
      assert.ok(maxDiff(a.gradient, b.gradient) <= 1e-5 * maxAbs(b.gradient), `gradient differs by ${maxDiff(a.gradient, b.gradient)}`);
    }
    for (const s of [0.5, 0.25, 0.75]) {
      const theta = pointOnSegment(start, end, s);
      const a = split.lossAndGradient(theta, { from: start, to: end, s }); // interpolated z
      const b = plain.lossAndGradient(theta);
      assert.ok(Math.abs(a.loss - b.loss) <= 1e-6 * Math.abs(b.loss), `s=${s}: loss ${a.loss} vs ${b.loss}`);
      t.diagnostic(`s=${s}: max |Δ gradient| / max |gradient| = ${(maxDiff(a.gradient, b.gradient) / maxAbs(b.gradient)).toExponential(2)}`);
      // Rounding of z bounds the difference (2e-7 here; an example whose z sits within rounding of a ReLU kink could add more).
      assert.ok(maxDiff(a.gradient, b.gradient) <= 1e-5 * maxAbs(b.gradient), `s=${s}: gradient differs by ${maxDiff(a.gradient, b.gradient)} of ${maxAbs(b.gradient)}`);
    }
  } finally {
    split.dispose();
    plain.dispose();
  }
});

test('MNIST-FC split: an endpoint and a segment point get the same bits whatever was evaluated before', async () => {
  const { set, start, end } = await setUp();
  const next = end.map((v, i) => v - 0.01 * Math.cos(i));
  const running = new FullDatasetObjective(mnistFc, set, 500); // the uninterrupted run: θ_0, mid, θ_1, mid, θ_2, mid
  const fresh = new FullDatasetObjective(mnistFc, set, 500); // a shard that starts at θ_1
  try {
    running.lossAndGradient(start);
    running.lossAndGradient(end);
    running.lossAndGradient(pointOnSegment(start, end, 0.5), { from: start, to: end, s: 0.5 });
    const tensors = tf.memory().numTensors;
    const a = running.lossAndGradient(next);
    const midA = running.lossAndGradient(pointOnSegment(end, next, 0.5), { from: end, to: next, s: 0.5 });
    assert.equal(tf.memory().numTensors, tensors, 'one endpoint in, the oldest out: no tensors leak');
    fresh.lossAndGradient(end);
    const b = fresh.lossAndGradient(next);
    const midB = fresh.lossAndGradient(pointOnSegment(end, next, 0.5), { from: end, to: next, s: 0.5 });
    assert.deepEqual(a.gradient, b.gradient);
    assert.equal(a.loss, b.loss);
    assert.deepEqual(midA.gradient, midB.gradient);
    assert.equal(midA.loss, midB.loss);
  } finally {
    running.dispose();
    fresh.dispose();
  }
});
