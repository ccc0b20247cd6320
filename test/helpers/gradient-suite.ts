// One finite-difference gradient test per network: every variable checked along its own gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/init.js';
import type { Network } from '../../src/models/network.js';
import { directionalChecks, genericTheta, randomBatch, relativeError } from './finite-difference.js';

// Measured worst relative errors with this step on wasm (2 images): FC 2e-4, LeNet 5e-4, VGG 3e-3,
// AllCNN 4e-3, ResNet-20 1.1e-2 (float32 round-off through 19 BN layers). Dropping the gradient
// through the BN statistics gives 0.4–1.0, so 3e-2 separates right from wrong.
const STEP = 1e-3; // the first-order loss change of each probe, in nats
const TOLERANCE = 3e-2;

/** A bias directly followed by a BN's gamma: the mean subtraction cancels it, so its gradient is 0. */
const biasesBeforeBatchNorm = (net: Network): Set<string> =>
  new Set(net.variables.filter((v, i) => v.name.endsWith('/bias') && net.variables[i + 1]?.name.endsWith('/gamma')).map((v) => v.name));

export function gradientTest(net: Network): void {
  test(`${net.name}: the gradient of every variable matches central finite differences`, async () => {
    await initBackend('wasm');
    const batch = randomBatch(net, 2, 7);
    const cancelled = biasesBeforeBatchNorm(net);
    try {
      const checks = directionalChecks(net, genericTheta(net, 3), batch, STEP);
      assert.equal(checks.length, net.variables.length);
      for (const c of checks) {
        if (cancelled.has(c.name)) {
          assert.ok(c.analytic < 1e-4, `${c.name}: a bias before batch norm has gradient ${c.analytic}, expected ~0`);
        } else {
          assert.ok(relativeError(c) < TOLERANCE, `${c.name}: analytic ${c.analytic} vs finite differences ${c.numeric}`);
        }
      }
    } finally {
      tf.dispose([batch.images, batch.oneHot]);
    }
  });
}
