// The optimizers against steps worked out by hand from the TF1 update rules, the lr schedule, and
// per-layer training (frozen variables, second-optimizer groups, "freeze wins").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../src/config/validate.js';
import { UsageError } from '../src/errors.js';
import { layoutOf } from '../src/models/network.js';
import { adam, rangedOptimizerFor, rmsprop, sgd } from '../src/train/optimizers.js';
import { updaterFor } from '../src/train/per-layer.js';
import { scheduledLr } from '../src/train/schedule.js';

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

test('RMSprop follows TF1: ms starts at 1, ε inside the square root, lr inside the momentum', () => {
  const theta = Float32Array.from([1, 0]);
  const opt = rmsprop(2, 0.01, 0.9, 0.9, 1e-10);
  opt.step(theta, [0.5, 0]);
  // ms = 0.9·1 + 0.1·0.25 = 0.925; mom = 0.01·0.5/√0.925; θ −= mom. (With ms starting at 0 the step would be 0.0316.)
  const mom1 = (0.01 * 0.5) / Math.sqrt(0.925 + 1e-10);
  close(theta, [1 - mom1, 0]);
  opt.step(theta, [-1, 0]);
  const mom2 = 0.9 * mom1 + (0.01 * -1) / Math.sqrt(0.9 * 0.925 + 0.1 * 1 + 1e-10);
  close(theta, [1 - mom1 - mom2, 0]);
});

test('a ranged optimizer touches only its ranges, and counts every step (TF1 Adam bias correction)', () => {
  const opt = rangedOptimizerFor(resolveConfig([{ where: 't', values: { optimizer: { name: 'adam', lr: 0.001 } } }]).optimizer, 4);
  const theta = Float32Array.from([1, 1, 1, 1]);
  opt.apply(theta, [0.2, 0.2, 0.2, 0.2], 0.001, [[1, 3]]);
  assert.deepEqual([theta[0], theta[3]], [1, 1]);
  assert.equal(opt.state.steps, 1);
  assert.deepEqual([opt.state.slots[0][0], opt.state.slots[0][3]], [0, 0], 'slots outside the ranges untouched');
  opt.apply(theta, [0.2, 0.2, 0.2, 0.2], 0.001, [[0, 1]]);
  assert.equal(opt.state.steps, 2);
  // Parameter 0's first update happens at t = 2: lr_2 = lr·√(1−β2²)/(1−β1²), m = 0.02, v = 4e-5.
  const lr2 = (0.001 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.9 ** 2);
  close([theta[0]], [1 - (lr2 * 0.02) / (Math.sqrt(4e-5) + 1e-8)]);
});

test('the step schedule multiplies lr by the factor from each listed epoch on (--decay_schedule)', () => {
  const lr = scheduledLr({ lr: 0.1, schedule: { epochs: [2, 3], factor: 0.1 } }, 10);
  assert.deepEqual([0, 19, 20, 29, 30, 99].map(lr), [0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.1 ** 2, 0.1 * 0.1 ** 2]);
  assert.equal(scheduledLr({ lr: 0.5, schedule: { epochs: [], factor: 0.1 } }, 10)(1000), 0.5);
});

const fcSlots = layoutOf([
  { name: 'fc_1/kernel', shape: [2, 1], init: 'zeros' }, { name: 'fc_1/bias', shape: [1], init: 'zeros' },
  { name: 'fc_last/kernel', shape: [1, 1], init: 'zeros' }, { name: 'fc_last/bias', shape: [1], init: 'zeros' },
]).slots;
const perLayer = (values: object) => updaterFor(resolveConfig([{ where: 't', values: { optimizer: { name: 'sgd', lr: 1, momentum: 0 }, ...values } }]), fcSlots, 2);

test('frozen variables never move; the others do', () => {
  const updater = perLayer({ freeze: { variables: ['fc_last/*'] } });
  const theta = new Float32Array(5);
  for (let t = 0; t < 3; t++) updater.step(theta, [1, 1, 1, 1, 1]);
  assert.deepEqual([...theta], [-3, -3, -3, 0, 0]);
});

test('a group has its own optimizer and constant lr; the main lr follows the schedule; freezing wins from its iteration', () => {
  const updater = perLayer({
    optimizer: { name: 'sgd', lr: 1, momentum: 0, schedule: { epochs: [1], factor: 0.5 } },
    groups: [{ variables: ['fc_last'], lr: 0.1, momentum: 0.5 }],
    freeze: { variables: ['fc_1/bias'], from_iteration: 3 },
  });
  const theta = new Float32Array(5);
  const g = [1, 1, 1, 1, 1];
  updater.step(theta, g); // t=0: main lr 1 on fc_1; group: a = 1, θ −= 0.1
  updater.step(theta, g); // t=1: same epoch; group a = 1.5
  updater.step(theta, g); // t=2: epoch 1, main lr 0.5; group a = 1.75
  close(theta, [-2.5, -2.5, -2.5, -0.425, -0.425]); // group: −0.1 −0.15 −0.175
  updater.step(theta, g); // t=3: frozen fc_1/bias; the main optimizer (lr 0.5, fresh slots for fc_last) trains everything else
  close(theta, [-3, -3, -2.5, -0.925, -0.925]);
  assert.deepEqual(updater.optimizers.map((o) => o.state.steps), [4, 3]);
});

test('per-layer globs that match nothing, or a variable in two groups, are usage errors naming the key', () => {
  assert.throws(() => perLayer({ freeze: { variables: ['fc_lst/*'] } }),
    (e: unknown) => e instanceof UsageError && e.message === 'freeze.variables: "fc_lst/*" matches no variable of mnist-fc (fc_1/kernel, fc_1/bias, fc_last/kernel, fc_last/bias)');
  assert.throws(() => perLayer({ groups: [{ variables: ['fc_1*'], lr: 1 }, { variables: ['*/bias'], lr: 1 }] }),
    (e: unknown) => e instanceof UsageError && e.message === 'groups[1].variables: fc_1/bias is already in groups[0]');
});

test('a parameter whose gradient is always exactly zero never moves (the exact-zero LCA of black pixels)', () => {
  for (const opt of [sgd(1, 0.1, 0.9), adam(1, 0.001, 0.9, 0.999, 1e-8), rmsprop(1, 0.001, 0.9, 0.9, 1e-10)]) {
    const theta = Float32Array.from([0.123]);
    for (let k = 0; k < 5; k++) opt.step(theta, [0]);
    assert.equal(theta[0], Math.fround(0.123));
  }
});
