// Each statistic on a small LCA matrix whose answer is known by construction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSigns, helpedFold } from '../src/analyze/helped.js';
import { layersFold } from '../src/analyze/layers.js';
import { errorFold } from '../src/analyze/error.js';
import type { LcaRow, VariableInfo } from '../src/analyze/rows.js';
import { selectVariables } from '../src/analyze/groups.js';

const variables: VariableInfo[] = [
  { name: 'fc_1/kernel', shape: [2, 2], size: 4 },
  { name: 'fc_1/bias', shape: [2], size: 2 },
  { name: 'fc_2/kernel', shape: [2, 1], size: 2 },
];

/** Row t of a 3×8 matrix, with per-iteration columns derived from it. */
function row(iteration: number, values: number[], scalars: Record<string, number> = {}): LcaRow {
  const flat = Float32Array.from(values);
  const offsets = [0, 4, 6, 8];
  return {
    iteration,
    scalar: (name) => scalars[name],
    variable: (k) => flat.subarray(offsets[k], offsets[k + 1]),
  };
}

const matrix = [
  [-1, -2, 3, 0, -0.5, 0.5, -4, 0], // 4 helped, 2 hurt, 2 zero
  [-1, -1, -1, -1, -1, -1, -1, 1], // 7 helped, 1 hurt
  [2, 0, 0, 0, 0, 0, 0, -1], // 1 helped, 1 hurt, 6 zero
];

test('countSigns: negatives and positives; 0 and −0 are neither', () => {
  assert.deepEqual(countSigns(Float32Array.from([-1, 2, 0, -0, -3e-30, 5e-30])), { negative: 2, positive: 2 });
});

test('helped: per-iteration counts and the Table 1 statistic with zeros ignored', () => {
  const fold = helpedFold(selectVariables(variables, 'bias'));
  matrix.forEach((values, t) => fold.add(row(t, values)));
  const r = fold.result();
  assert.deepEqual(r.iterations.map((it) => [it.helped, it.hurt, it.zero]), [[4, 2, 2], [7, 1, 0], [1, 1, 6]]);
  assert.equal(r.mean_percent_helped, (100 * 4) / 8); // mean helped = 12/3 = 4 of 8
  assert.equal(r.mean_percent_zero, (100 * (8 / 3)) / 8);
  assert.equal(r.percent_helped, (100 * 4) / (4 + 4 / 3)); // 4 / (4 + mean hurt 4/3)
});

test('layers: sums per variable and per layer (kernel + bias), with shares of the total', () => {
  const fold = layersFold(selectVariables(variables, 'bias'));
  matrix.forEach((values, t) => fold.add(row(t, values)));
  const r = fold.result();
  // kernel: 0 − 4 + 2 = −2; bias: 0 − 2 + 0 = −2; fc_2/kernel: −4 + 0 − 1 = −5
  assert.deepEqual(r.variables.map((v) => v.lca), [-2, -2, -5]);
  assert.deepEqual(r.layers.map((l) => [l.name, l.lca, l.parameters]), [['fc_1', -4, 6], ['fc_2', -5, 2]]);
  assert.equal(r.total, -9);
  assert.deepEqual(r.layers.map((l) => l.share), [4 / 9, 5 / 9]);
});

test('error: max, mean, cumulative and relative error, iterations above tolerance, splits', () => {
  const fold = errorFold(1e-3, true);
  const rows = [
    { error: 5e-4, delta_loss: -0.5, splits: 2, val_error: -2e-3, val_delta_loss: -0.4 },
    { error: -2e-3, delta_loss: -0.3, splits: 8, val_error: 1e-4, val_delta_loss: -0.2 },
    { error: 1e-4, delta_loss: -0.2, splits: 2, val_error: 1e-4, val_delta_loss: -0.1 },
  ];
  rows.forEach((s, t) => fold.add(row(t, matrix[t], s)));
  const r = fold.result();
  assert.equal(r.max_abs_error, 2e-3);
  assert.ok(Math.abs(r.mean_abs_error - 2.6e-3 / 3) < 1e-15);
  assert.ok(Math.abs(r.cumulative_error - -1.4e-3) < 1e-15);
  assert.ok(Math.abs(r.total_delta_loss - -1) < 1e-15);
  assert.ok(Math.abs(r.cumulative_relative_error - 1.4e-3) < 1e-12);
  assert.equal(r.iterations_above_tolerance, 1);
  assert.deepEqual(r.splits, [{ splits: 2, iterations: 2, fraction: 2 / 3 }, { splits: 8, iterations: 1, fraction: 1 / 3 }]);
  assert.equal(r.val?.max_abs_error, 2e-3);
  assert.equal(r.val?.iterations_above_tolerance, 1);
});

test('error: a block of k iterations (compute --every k) is above the tolerance only past k × tolerance', () => {
  const fold = errorFold(1e-3, false);
  const block = (span: number, error: number): LcaRow => ({ ...row(0, matrix[0], { error, delta_loss: -0.5, splits: 2 }), span });
  fold.add(block(2, 1.5e-3)); // two iterations' errors within 1e-3 each can sum to this
  fold.add(block(2, 2.5e-3));
  fold.add(block(1, 1.5e-3)); // the last block may be shorter
  assert.equal(fold.result().iterations_above_tolerance, 2);
});
