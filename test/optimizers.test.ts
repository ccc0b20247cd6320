// Both optimizers against steps worked out by hand from the TF1 update rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adam, sgd } from '../src/train/optimizers.js';

const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-6) =>
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= tol * Math.max(1, Math.abs(e)), `[${i}] ${actual[i]} vs ${e}`));

test('SGD with momentum 0.9 accumulates the heavy-ball velocity', () => {
  const theta = Float32Array.from([1, -2]);
  const opt = sgd(2, 0.1, 0.9);
  opt.step(theta, [0.5, -1]); // a = g = (0.5, −1); θ = (1 − 0.05, −2 + 0.1)
  close(theta, [0.95, -1.9]);
  opt.step(theta, [0.5, 1]); // a = (0.9·0.5 + 0.5, 0.9·−1 + 1) = (0.95, 0.1); θ −= 0.1·a
  close(theta, [0.95 - 0.095, -1.9 - 0.01]);
});

test('SGD with momentum 0 is plain gradient descent', () => {
  const theta = Float32Array.from([3]);
  const opt = sgd(1, 0.5, 0);
  opt.step(theta, [2]);
  opt.step(theta, [2]);
  close(theta, [1]);
});

test('Adam follows the TF1 bias-corrected step with ε outside the square root', () => {
  const theta = Float32Array.from([1, 0]);
  const opt = adam(2, 0.001, 0.9, 0.999, 1e-8);
  opt.step(theta, [0.2, 0]);
  // t=1: m = 0.02, v = 0.001·0.04 = 4e-5; lr_t = 0.001·√0.001/0.1; step = lr_t·0.02/(√4e-5 + 1e-8)
  const lr1 = (0.001 * Math.sqrt(1 - 0.999)) / (1 - 0.9);
  const step1 = (lr1 * 0.02) / (Math.sqrt(4e-5) + 1e-8);
  close(theta, [1 - step1, 0]);
  assert.ok(Math.abs(step1 - 0.001) < 1e-8, 'the first Adam step has size ≈ lr');
  opt.step(theta, [-0.1, 0]);
  const m2 = 0.9 * 0.02 + 0.1 * -0.1;
  const v2 = 0.999 * 4e-5 + 0.001 * 0.01;
  const lr2 = (0.001 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.9 ** 2);
  close(theta, [1 - step1 - (lr2 * m2) / (Math.sqrt(v2) + 1e-8), 0]);
});

test('a parameter whose gradient is always exactly zero never moves (the exact-zero LCA of black pixels)', () => {
  for (const opt of [sgd(1, 0.1, 0.9), adam(1, 0.001, 0.9, 0.999, 1e-8)]) {
    const theta = Float32Array.from([0.123]);
    for (let k = 0; k < 5; k++) opt.step(theta, [0]);
    assert.equal(theta[0], Math.fround(0.123));
  }
});
