// Batch norm in training mode (original-conventions.md §6.4, §11.2): per-channel statistics of the
// current batch, biased variance, ε = 1e-3, and a gradient that flows through the statistics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/init.js';
import { RandomState } from '../src/data/mt19937.js';
import { networkOf, sequential } from '../src/models/compose.js';
import { batchNorm, conv2d, dense, globalAveragePool, relu, type Layer } from '../src/models/layers.js';
import { batchLossSum, type Batch } from '../src/models/loss.js';
import type { Network } from '../src/models/network.js';
import { networkNamed } from '../src/models/registry.js';
import { directionalChecks, genericTheta, randomBatch, relativeError } from './helpers/finite-difference.js';

test('normalises each channel with the mean and biased variance over N, H, W, then γ and β', async () => {
  await initBackend('wasm');
  const [n, h, w, c] = [3, 4, 5, 2];
  const rng = new RandomState(5);
  const x = Float64Array.from({ length: n * h * w * c }, (_, i) => (i % c === 0 ? 3 : 0.2) * rng.standardNormal() + (i % c));
  const gamma = [1.5, -0.5];
  const beta = [0.25, 2];
  const y = tf.tidy(() => batchNorm('bn', c).apply([tf.tensor1d(gamma), tf.tensor1d(beta)], tf.tensor4d(Float32Array.from(x), [n, h, w, c])).dataSync());
  for (let ch = 0; ch < c; ch++) {
    const xs = Array.from(x).filter((_, i) => i % c === ch);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length; // biased: divide by N·H·W
    const ys = Array.from(y).filter((_, i) => i % c === ch);
    xs.forEach((v, k) => {
      const want = gamma[ch] * ((v - mean) / Math.sqrt(variance + 1e-3)) + beta[ch];
      assert.ok(Math.abs(ys[k] - want) < 1e-5 * Math.max(1, Math.abs(want)), `channel ${ch} element ${k}: ${ys[k]} vs ${want}`);
    });
    // Undo γ, β: zero mean and variance v/(v + ε) ≈ 1 per channel.
    const normalised = ys.map((v) => (v - beta[ch]) / gamma[ch]);
    const m = normalised.reduce((a, b) => a + b, 0) / normalised.length;
    const v = normalised.reduce((a, b) => a + (b - m) ** 2, 0) / normalised.length;
    assert.ok(Math.abs(m) < 1e-5);
    assert.ok(Math.abs(v - variance / (variance + 1e-3)) < 1e-4);
  }
});

/** Σ of the per-example losses, each example alone in its batch. */
function singleExampleLossSum(net: Network, theta: Float32Array, batch: Batch): number {
  let sum = 0;
  for (let i = 0; i < batch.images.shape[0]; i++) {
    const one = tf.tidy(() => ({ images: tf.slice(batch.images, i, 1), oneHot: tf.slice(batch.oneHot, i, 1) }));
    sum += batchLossSum(net, theta, one);
    tf.dispose([one.images, one.oneHot]);
  }
  return sum;
}

test("a BN network's batch loss is not the sum of its examples' losses; a network without BN's is", async () => {
  await initBackend('wasm');
  for (const [name, batchDependent] of [['cifar-resnet20', true], ['mnist-lenet', false]] as const) {
    const net = networkNamed(name);
    const batch = randomBatch(net, 4, 11);
    const theta = genericTheta(net, 0);
    const together = batchLossSum(net, theta, batch);
    const apart = singleExampleLossSum(net, theta, batch);
    tf.dispose([batch.images, batch.oneHot]);
    const relative = Math.abs(together - apart) / Math.abs(apart);
    if (batchDependent) assert.ok(relative > 1e-3, `${name}: ${together} vs ${apart}`);
    else assert.ok(relative < 1e-5, `${name}: ${together} vs ${apart}`);
  }
});

// BN whose statistics are constants to the tape (read back from the backend): what the gradient
// would be if it did not flow through the batch mean and variance.
const constantStatisticsBatchNorm = (name: string, channels: number): Layer => ({
  ...batchNorm(name, channels),
  apply: ([gamma, beta], x) => {
    const { mean, variance } = tf.moments(tf.tensor(x.dataSync(), x.shape), [0, 1, 2]);
    return tf.batchNorm(x as tf.Tensor4D, mean, variance, beta, gamma, 1e-3);
  },
});

const tinyNet = (norm: (name: string, channels: number) => Layer): Network => networkOf({
  name: 'tiny-bn',
  inputShape: [6, 6, 2],
  numClasses: 3,
  body: sequential([
    conv2d('conv2D_1', { size: 3, in: 2, out: 4, activation: 'linear' }),
    norm('batch_norm_1', 4),
    relu(),
    conv2d('conv2D_2', { size: 3, in: 4, out: 4, stride: 2, activation: 'linear' }),
    norm('batch_norm_2', 4),
    relu(),
    globalAveragePool(),
    dense('fc', { in: 4, out: 3, activation: 'linear' }),
  ]),
});

test('the gradient flows through the batch statistics (and finite differences can tell)', async () => {
  await initBackend('wasm');
  const net = tinyNet(batchNorm);
  const frozen = tinyNet(constantStatisticsBatchNorm);
  const batch = randomBatch(net, 3, 2);
  const theta = genericTheta(net, 1);
  const kernels = (name: string) => name.endsWith('/kernel') || name.endsWith('/gamma');
  const right = directionalChecks(net, theta, batch, 1e-3, kernels);
  const wrong = directionalChecks(frozen, theta, batch, 1e-3, kernels);
  tf.dispose([batch.images, batch.oneHot]);
  for (const c of right) assert.ok(relativeError(c) < 1e-2, `${c.name}: ${c.analytic} vs ${c.numeric}`);
  // The loss is the same function; only the frozen net's analytic gradient is wrong, and visibly so.
  assert.ok(Math.max(...wrong.map(relativeError)) > 0.2, wrong.map((c) => `${c.name} ${relativeError(c)}`).join(', '));
});

test("batch norm's own gradient equals autodiff through tf.moments and tf.batchNorm", async () => {
  await initBackend('wasm');
  const rng = new RandomState(9);
  const draw = (n: number, scale: number, shift = 0) => Float32Array.from({ length: n }, () => shift + scale * rng.standardNormal());
  const shape: [number, number, number, number] = [3, 5, 4, 6];
  const size = shape.reduce((a, b) => a * b, 1);
  const [x, gamma, beta, weights] = [tf.tensor4d(draw(size, 2, 1), shape), tf.tensor1d(draw(6, 0.5, 1)), tf.tensor1d(draw(6, 1)), tf.tensor4d(draw(size, 1), shape)];
  // A loss that weights every output differently, so that no gradient term cancels by symmetry.
  const lossOf = (norm: (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor) =>
    (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.square(norm(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D)), weights));
  const ours = tf.grads(lossOf((a, g, b) => batchNorm('bn', 6).apply([g, b], a)))([x, gamma, beta]);
  const autodiff = tf.grads(lossOf((a, g, b) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2]);
    return tf.batchNorm(a, mean, variance, b, g, 1e-3);
  }))([x, gamma, beta]);
  ['x', 'gamma', 'beta'].forEach((name, k) => {
    const [p, q] = [ours[k].dataSync(), autodiff[k].dataSync()];
    const scale = Math.max(...Array.from(q, Math.abs));
    const worst = Math.max(...Array.from(p, (v, i) => Math.abs(v - q[i])));
    assert.ok(worst < 1e-4 * scale, `d${name}: worst difference ${worst} against a largest entry of ${scale}`);
  });
  tf.dispose([x, gamma, beta, weights, ...ours, ...autodiff]);
});

// wasm sums in float32 from front to back: one sum over ResNet-20's first stage at 100 images is a running sum
// of 102,400 terms. Per-axis sums keep the statistics and the γ, β gradients at float32 accuracy.
test('its statistics and γ, β gradients stay float32-accurate over 102,400 values per channel on wasm', async () => {
  await initBackend('wasm');
  const [n, h, w] = [100, 32, 32];
  const size = n * h * w;
  const rng = new RandomState(11);
  const x = Float32Array.from({ length: size }, () => 10 + rng.standardNormal());
  const weights = Float32Array.from({ length: size }, () => 1 + 0.1 * rng.standardNormal());
  const [y, dGamma, dBeta] = tf.tidy(() => {
    const normalise = (gamma: tf.Tensor, beta: tf.Tensor) => batchNorm('bn', 1).apply([gamma, beta], tf.tensor4d(x, [n, h, w, 1]));
    const loss = (gamma: tf.Tensor, beta: tf.Tensor) => tf.sum(tf.mul(normalise(gamma, beta), tf.tensor4d(weights, [n, h, w, 1])));
    const [g, b] = tf.grads(loss)([tf.tensor1d([1]), tf.tensor1d([0])]).map((t) => t.dataSync()[0]);
    return [normalise(tf.tensor1d([1]), tf.tensor1d([0])).dataSync(), g, b] as const;
  });
  const mean = x.reduce((a, b) => a + b, 0) / size;
  const sigma = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / size + 1e-3);
  const wantBeta = weights.reduce((a, b) => a + b, 0);
  const wantGamma = weights.reduce((a, wk, k) => a + wk * ((x[k] - mean) / sigma), 0);
  const scale = weights.reduce((a, wk, k) => a + Math.abs(wk * ((x[k] - mean) / sigma)), 0);
  const worst = x.reduce((m, v, k) => Math.max(m, Math.abs(y[k] - (v - mean) / sigma)), 0);
  // One running sum gave 4.1e-5, 5.5e-6 and 8.6e-7; per-axis sums 2.3e-6, 1.6e-7 and 2.1e-6.
  assert.ok(worst <= 1e-5, `x̂ off by ${worst}`);
  assert.ok(Math.abs(dBeta - wantBeta) <= 1e-6 * wantBeta, `∂/∂β ${dBeta} vs ${wantBeta}`);
  assert.ok(Math.abs(dGamma - wantGamma) <= 1e-5 * scale, `∂/∂γ ${dGamma} vs ${wantGamma}`);
});
