// Checks the paper's train/validation split: sizes, disjointness, order, and numpy's indices.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paperSplit } from '../src/data/split.js';

function assertPartition(total: number, train: Int32Array, val: Int32Array): void {
  const seen = new Uint8Array(total);
  for (const i of [...train, ...val]) {
    assert.equal(seen[i], 0, `index ${i} appears twice`);
    seen[i] = 1;
  }
  assert.equal(seen.indexOf(0), -1, 'every index is in train or val');
  for (let k = 1; k < train.length; k++) assert.ok(train[k - 1] < train[k], 'train indices ascend');
}

test('MNIST-sized split: 55,000 train in original order, 5,000 val', () => {
  const { trainIndices, valIndices } = paperSplit(60000);
  assert.equal(trainIndices.length, 55000);
  assert.equal(valIndices.length, 5000);
  assertPartition(60000, trainIndices, valIndices);
  // numpy: idx = RandomState(0).choice(60000, 5000, replace=False); np.setdiff1d(np.arange(60000), idx)
  // The smallest validation index is 17, so train starts 0..16, 18, ...
  assert.deepEqual(Array.from(trainIndices.subarray(0, 3)), [0, 1, 2]);
  assert.deepEqual([trainIndices[16], trainIndices[17], trainIndices[20], trainIndices[1000], trainIndices[54999]], [16, 18, 21, 1092, 59999]);
  assert.deepEqual(Array.from(valIndices.subarray(0, 5)), [3048, 19563, 58303, 8870, 40228]);
});

test('CIFAR-10-sized split: 45,000 train, 5,000 val', () => {
  const { trainIndices, valIndices } = paperSplit(50000);
  assert.equal(trainIndices.length, 45000);
  assert.equal(valIndices.length, 5000);
  assertPartition(50000, trainIndices, valIndices);
  assert.deepEqual([trainIndices[14], trainIndices[1000], trainIndices[44999]], [15, 1115, 49999]);
});

test('other sizes and seeds follow numpy choice', () => {
  // numpy: RandomState(3).choice(20, 5, replace=False) == [14, 2, 1, 17, 4]
  const { trainIndices, valIndices } = paperSplit(20, 5, 3);
  assert.deepEqual(Array.from(valIndices), [14, 2, 1, 17, 4]);
  assert.deepEqual(Array.from(trainIndices), [0, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 18, 19]);
  assert.equal(paperSplit(10, 0).trainIndices.length, 10);
  assert.throws(() => paperSplit(10, 11), RangeError);
});
