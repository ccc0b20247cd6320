// Overfitting and freeze reports and the FLOPs they rest on, on small inputs whose answers are
// known by construction (docs/analysis.md defines each number).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freezePoints } from '../src/analyze/freeze.js';
import { selectVariables } from '../src/analyze/groups.js';
import { overfitting, overfittingFold, overfittingOnset } from '../src/analyze/overfitting.js';
import type { LcaRow, VariableInfo } from '../src/analyze/rows.js';
import { helpFold, randomMask, recentFrom, topMask } from '../src/analyze/prune.js';
import { stepFlops, variableFlops } from '../src/models/flops.js';
import { networkNamed } from '../src/models/registry.js';

const variables: VariableInfo[] = [
  { name: 'fc_1/kernel', shape: [2, 1], size: 2 },
  { name: 'fc_1/bias', shape: [1], size: 1 },
  { name: 'fc_2/kernel', shape: [1, 1], size: 1 },
];

/** Row t: training LCA per parameter, validation LCA per variable, and the losses at θ_t, θ_{t+1}. */
function row(iteration: number, lca: number[], valPerVariable: number[], losses: [number, number, number, number]): LcaRow {
  const flat = Float32Array.from(lca);
  const offsets = [0, 2, 3, 4];
  const scalars: Record<string, number> = { loss: losses[0], next_loss: losses[1], val_loss: losses[2], val_next_loss: losses[3] };
  variables.forEach((v, k) => (scalars[`val/${v.name}`] = valPerVariable[k]));
  return { iteration, scalar: (name) => scalars[name], variable: (k) => flat.subarray(offsets[k], offsets[k + 1]) };
}

test('overfitting: disagreeing cells per layer, their share of the validation hurt, and the onset', () => {
  const fold = overfittingFold(selectVariables(variables, 'bias'), (v) => `val/${v}`);
  // fc_1 = kernel + bias; fc_2 alone. Losses: train falls throughout, val bottoms out at θ_2.
  fold.add(row(0, [-1, -1, -1, -2], [-0.5, -0.5, -1], [3, 2, 3, 2.5])); // fc_1 train −3 val −1; fc_2 −2, −1
  fold.add(row(1, [-1, 0, 0, -1], [0.25, 0.25, 0.5], [2, 1.5, 2.5, 2])); // fc_1 −1 / +0.5 disagree; fc_2 −1 / +0.5 disagree
  fold.add(row(2, [0.5, 0, 0, -1], [0.5, 0, -0.25], [1.5, 1, 2, 2.25])); // fc_1 +0.5 / +0.5 (hurt both); fc_2 −1 / −0.25
  const r = overfitting(fold.result());
  assert.deepEqual(r.layers.map((l) => [l.name, l.disagreeing, l.cells]), [['fc_1', 1, 3], ['fc_2', 1, 3]]);
  assert.deepEqual(Array.from(r.series.train[0]), [-3, -1, 0.5]);
  assert.deepEqual(Array.from(r.series.val[1]), [-1, 0.5, -0.25]);
  const [fc1, fc2] = r.layers;
  assert.equal(fc1.valLcaDisagreeing, 0.5);
  assert.equal(fc1.valHurt, 1); // 0.5 at t = 1 and 0.5 at t = 2
  assert.equal(fc2.valLcaDisagreeing, 0.5);
  assert.equal(fc2.valHurt, 0.5);
  assert.deepEqual(r.cells, { cells: 6, disagreeing: 2, valLcaDisagreeing: 1, valHurt: 1.5 });
  // The whole selection per row: train −5, −2, −0.5; val −2, +1, +0.25 → t = 1 and t = 2 disagree
  // (at t = 2 fc_1 hurt both losses, but the sum of the layers still helped training and hurt validation).
  assert.equal(r.network.disagreeing, 2);
  assert.equal(r.network.valLcaDisagreeing, 1.25);
  assert.equal(r.network.valHurt, 1.25);
  // Val losses at θ_0 … θ_3: 3, 2.5, 2, 2.25 → minimum at θ_2; it then rises by 0.25 while train falls 1.5 → 1.
  assert.deepEqual(r.onset, { iteration: 2, minIteration: 2, valRise: 0.25, trainFall: 0.5, minValLoss: 2 });
});

test('overfitting onset: none while the validation loss still falls, or when training stops falling', () => {
  const base = { iterations: [0, 1], end: 2, loss: [3, 2], endLoss: 1 };
  assert.equal(overfittingOnset({ ...base, valLoss: [3, 2], endValLoss: 1.5 }).iteration, null); // still falling at the end
  assert.equal(overfittingOnset({ ...base, valLoss: [3, 2], endValLoss: 2.5 }).iteration, 1);
  assert.equal(overfittingOnset({ ...base, loss: [3, 0.5], valLoss: [3, 2], endValLoss: 2.5 }).iteration, null); // train rose after θ_1
  assert.equal(overfittingOnset({ ...base, valLoss: [2, 2], endValLoss: 3 }).iteration, 0); // ties: the earliest
});

test('freeze: the first row of the in-band tail, its contribution after, FLOPs per frozen step', () => {
  const series = [
    Float64Array.from([-4, -2, 0.01, -0.01, 0.02]), // in the band from row 2 on
    Float64Array.from([-1, -1, -1, -1, -1]), // never
    Float64Array.from([0, 0, 0, 0, 0]), // frozen from the start (a layer whose Δθ is 0)
    Float64Array.from([0, 0, 0, 0, 1]), // its last row is outside
  ];
  const totals = [-5, -3, -0.99, -1.01, 0.02]; // Σ over layers per row; mean |·| = 10.02 / 5
  const r = freezePoints({
    layers: ['a', 'b', 'c', 'd'], iterations: [10, 11, 12, 13, 14], end: 15, series, band: 0.01, batchSize: 4, stepFlopsPerExample: 100,
    costs: [{ parameterGradient: 3, withInputGradient: 5 }, { parameterGradient: 1, withInputGradient: 1 }, { parameterGradient: 2, withInputGradient: 2 }, { parameterGradient: 7, withInputGradient: 7 }],
  });
  const epsilon = (0.01 * totals.reduce((a, x) => a + Math.abs(x), 0)) / 5; // 0.02004
  assert.ok(Math.abs(r.epsilon - epsilon) < 1e-15);
  assert.deepEqual(r.layers.map((l) => [l.name, l.frozenFrom, l.iterationsFrozen]), [['a', 12, 3], ['b', null, 0], ['c', 10, 5], ['d', null, 0]]);
  const [a, , c] = r.layers;
  assert.ok(Math.abs(a.lcaAfter - 0.02) < 1e-15);
  assert.equal(a.flopsSaved, 3 * 4 * 3); // 3 frozen steps × batch 4 × 3 FLOPs per example
  assert.equal(a.flopsSavedMax, 3 * 4 * 5);
  assert.equal(c.flopsSaved, 5 * 4 * 2);
  assert.equal(r.trainingFlops, 5 * 4 * 100);
});

test('FLOPs from the architecture tables: MNIST-FC by hand, ResNet-20 at its known 40.8 M multiply-adds', () => {
  const fc = variableFlops(networkNamed('mnist-fc'));
  // 784·100 + 100·50 + 50·10 = 83,900 multiply-adds; biases 100 + 50 + 10 adds (conventions §3.1).
  assert.deepEqual(fc.map((f) => f.forward), [2 * 78400, 100, 2 * 5000, 50, 2 * 500, 10]);
  assert.deepEqual(fc.map((f) => f.inputGradient), [2 * 78400, 0, 2 * 5000, 0, 2 * 500, 0]);
  assert.equal(stepFlops(fc), 3 * 2 * 83900 + 2 * 160);
  const resnet = networkNamed('cifar-resnet20');
  const kernels = variableFlops(resnet).filter((_, k) => resnet.variables[k].shape.length >= 2);
  // conv 3·3·3·16 on 32×32, 6 convs 3·3·16·16 on 32×32, per later stage one stride-2 conv, five 3×3
  // convs and a 1×1 projection at 16×16 then 8×8, and fc 64·10 (conventions §3.4): 40,813,184 multiply-adds.
  assert.equal(kernels.reduce((a, f) => a + f.forward, 0) / 2, 40_813_184);
  const positions = (name: string) => resnet.positions[resnet.variables.findIndex((v) => v.name === name)];
  assert.equal(positions('block_3A/conv2D_1/kernel'), 8 * 8); // stride 2, 'same': ⌈16/2⌉²
  assert.equal(positions('block_1A/batch_norm_2/gamma'), 32 * 32);
  assert.equal(positions('fc_last/kernel'), 1);
});

test('prune rankings: help summed over all rows and over the last 10 %; top-n with ties to the lower index; seeded random masks', () => {
  assert.equal(recentFrom(0, 99), 90); // the last 10 of 100 rows
  assert.equal(recentFrom(5, 7), 7); // at least one row
  const fold = helpFold([2, 1], 2);
  const rows = [[-1, 2, 0], [-1, 0, 3], [0, -4, -1]]; // rows 0, 1, 2; row 2 is the recent one
  rows.forEach((values, t) => {
    const flat = Float32Array.from(values);
    fold.add({ iteration: t, scalar: () => 0, variable: (k) => (k === 0 ? flat.subarray(0, 2) : flat.subarray(2, 3)) });
  });
  const help = fold.result();
  assert.deepEqual(Array.from(help.total), [2, 2, -2]); // −Σ LCA
  assert.deepEqual(Array.from(help.recent), [0, 4, 1]);
  assert.deepEqual(Array.from(topMask(help.total, 1)), [1, 0, 0]); // tie between 0 and 1: the lower index
  assert.deepEqual(Array.from(topMask(help.recent, 2)), [0, 1, 1]);
  const a = randomMask(1000, 300, 7);
  assert.equal(a.reduce((n, x) => n + x, 0), 300);
  assert.deepEqual(randomMask(1000, 300, 7), a);
  assert.notDeepEqual(randomMask(1000, 300, 8), a);
});
