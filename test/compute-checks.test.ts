// What compute and its --dry-run refuse before any work (src/jobs/compute-checks.ts): each refusal's
// error class (exit 2 for flags, 1 for the run's data) and its one line, and what passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, UsageError } from '../src/errors.js';
import { checkBatchStatistics, checkBlocks, checkValidationSet, resolveRange } from '../src/jobs/compute-checks.js';
import type { Manifest } from '../src/store/manifest.js';

const manifest = (over: { batchNorm?: boolean; valCount?: number; imported?: boolean } = {}) => ({
  model: { name: over.batchNorm ? 'cifar-resnet20' : 'mnist-fc', uses_batch_statistics: !!over.batchNorm },
  config: { eval_batch_size: 2500 },
  dataset: { name: 'synthetic-cifar', val_count: over.valCount ?? 100 },
  training: { iterations: 20 },
  ...(over.imported ? { imported: {} } : {}),
}) as unknown as Manifest;

test('batch norm: --per-class and another evaluation batch are refused (spec §3: BN uses the batch\'s own statistics), unless allowed', () => {
  const bn = manifest({ batchNorm: true });
  assert.throws(() => checkBatchStatistics(bn, { run: 'r', perClass: true }, 2500), (e: Error) => e instanceof UsageError && /^--per-class: cifar-resnet20 uses batch statistics/.test(e.message));
  assert.throws(() => checkBatchStatistics(bn, { run: 'r' }, 500), (e: Error) => e instanceof UsageError && /^--eval-batch-size 500: .* r was trained with 2500\. Pass --allow-eval-batch-change/.test(e.message));
  assert.doesNotThrow(() => checkBatchStatistics(bn, { run: 'r', allowEvalBatchChange: true }, 500));
  assert.doesNotThrow(() => checkBatchStatistics(bn, { run: 'r' }, 2500));
  assert.doesNotThrow(() => checkBatchStatistics(manifest(), { run: 'r', perClass: true }, 500), 'no batch norm: both are fine');
});

test('--val needs validation examples; an imported run is told where they go', () => {
  assert.doesNotThrow(() => checkValidationSet(manifest({ valCount: 0 }), false, 'r'));
  assert.doesNotThrow(() => checkValidationSet(manifest(), true, 'r'));
  assert.throws(() => checkValidationSet(manifest({ valCount: 0 }), true, 'r'), (e: Error) => e instanceof InputError && e.message === '--val: r has no validation examples (synthetic-cifar)');
  assert.throws(() => checkValidationSet(manifest({ valCount: 0, imported: true }), true, 'r'), /; import it again with x_val and y_val in the data \.npz$/);
});

test('--every blocks must fit the range and cannot be sharded; ranges must lie in the run', () => {
  assert.doesNotThrow(() => checkBlocks(1, [3, 7], 20, undefined));
  assert.doesNotThrow(() => checkBlocks(5, [0, 19], 20, undefined));
  assert.throws(() => checkBlocks(5, [3, 19], 20, undefined), (e: Error) => e instanceof UsageError && e.message === '--every 5: --iterations 3:20 must start on a multiple of 5 and end on one (or at 20)');
  assert.throws(() => checkBlocks(5, [0, 19], 20, { index: 0, count: 2, source: '--shard 0/2' }), /--every 5 with a shard \(--shard 0\/2\)/);
  assert.throws(() => checkBlocks(0, [0, 19], 20, undefined), /--every 0: must be a positive integer$/);
  assert.deepEqual(resolveRange(manifest(), undefined, 'r'), [0, 19]);
  assert.throws(() => resolveRange(manifest(), [5, 25], 'r'));
});
