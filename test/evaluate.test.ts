// What `lca train` reports at its end (issue 13 item 7): the loss and accuracy of θ on a set, checked
// against the loss the LCA uses (batchLossSum) and a hand-made argmax over the logits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/init.js';
import { RandomState } from '../src/data/mt19937.js';
import { batchOf } from '../src/models/batches.js';
import { evaluate } from '../src/models/evaluate.js';
import { initialParameters } from '../src/models/init.js';
import { batchLossSum, parameterTensors } from '../src/models/loss.js';
import { mnistFc } from '../src/models/mnist-fc.js';

test('evaluate: mean cross-entropy and accuracy over uneven batches match an independent pass', async () => {
  await initBackend('wasm');
  const rng = new RandomState(1);
  const count = 70;
  const images = Float32Array.from({ length: count * 784 }, () => rng.randomDouble());
  const labels = Uint8Array.from({ length: count }, (_, n) => n % 10);
  const theta = initialParameters(mnistFc.variables, 2);
  const got = evaluate(mnistFc, theta, { images, labels, count }, 32); // 32 + 32 + 6

  const whole = batchOf(mnistFc, images, labels, count);
  const params = parameterTensors(mnistFc, theta);
  const logits = mnistFc.logits(params, whole.images).arraySync();
  const correct = logits.filter((row, n) => row.indexOf(Math.max(...row)) === labels[n]).length;
  assert.ok(Math.abs(got.loss - batchLossSum(mnistFc, theta, whole) / count) < 1e-5, `${got.loss}`);
  assert.equal(got.accuracy, correct / count);
  assert.ok(got.loss > 1 && got.loss < 5, 'near ln 10 for an untrained network');
  tf.dispose([whole.images, whole.oneHot, ...params]);
});
