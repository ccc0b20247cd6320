// What `lca compute --store units|layers --every k` keeps of the LCA rows, on rows whose sums are known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockAccumulator, blockEndOf, storedVector, unitsOf } from '../src/lca/aggregate.js';

const variables = [
  { name: 'fc/kernel', shape: [2, 3], offset: 0, size: 6 }, // (in, out): units are the 3 outputs
  { name: 'fc/bias', shape: [3], offset: 6, size: 3 },
];
const lca = [1, 2, 3, 10, 20, 30, -1, -2, -3];

test('units sum each variable over every axis but the last; layers keep no vector; full keeps all', () => {
  assert.deepEqual(variables.map((v) => unitsOf(v.shape)), [3, 3]);
  assert.deepEqual(Array.from(storedVector('units', variables, lca)), [11, 22, 33, -1, -2, -3]);
  assert.equal(storedVector('layers', variables, lca).length, 0);
  assert.deepEqual(Array.from(storedVector('full', variables, lca)), lca);
});

test('blocks of k iterations: first loss, last next_loss, sums elsewhere, so the error stays Σ of the errors', () => {
  const end = blockEndOf(2, 5); // blocks {0, 1}, {2, 3}, {4}
  assert.deepEqual([0, 1, 2, 3, 4].map(end), [1, 1, 3, 3, 4]);
  const blocks = blockAccumulator(2, end);
  const row = (t: number, loss: number, next: number, sum: number, splits: number) =>
    ({ iteration: t, loss, next_loss: next, delta_loss: next - loss, lca_sum: sum, error: next - loss - sum, splits, val_loss: 10 * loss, val_next_loss: 10 * next, 'val/fc/kernel': t, class_3_loss: loss / 2, class_3_next_loss: next / 2, 'class_3/fc/kernel': 2 * t });
  assert.equal(blocks.add(row(0, 3, 2, -0.9, 2), [1, 2]), null);
  const first = blocks.add(row(1, 2, 1.5, -0.4, 4), [3, 4])!;
  assert.deepEqual(first.scalars, {
    iteration: 0, iterations: 2, loss: 3, next_loss: 1.5, delta_loss: -1.5, lca_sum: -1.3, error: -1.5 + 1.3, splits: 4,
    val_loss: 30, val_next_loss: 15, 'val/fc/kernel': 1, class_3_loss: 1.5, class_3_next_loss: 0.75, 'class_3/fc/kernel': 2,
  });
  assert.deepEqual(Array.from(first.lca), [4, 6]);
  assert.equal(blocks.add(row(2, 1.5, 1, -0.5, 2), [0, 0]), null);
  blocks.add(row(3, 1, 0.5, -0.5, 2), [0, 0]);
  const last = blocks.add(row(4, 0.5, 0.4, -0.1, 2), [5, 5])!;
  assert.deepEqual([last.scalars.iteration, last.scalars.iterations, Array.from(last.lca)], [4, 1, [5, 5]]);
});
