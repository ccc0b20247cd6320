// Matching checkpoint names to a model's initializers (docs/import.md, "When names do not match"),
// and the steps of checkpoint files (from their names or --steps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchNames } from '../src/interop/names.js';
import { orderCheckpoints, parseSteps, stepFromName } from '../src/interop/checkpoints.js';

test('exact names match; DDP, torch.compile and model. prefixes are ignored on either side', () => {
  const m = matchNames(['fc1.weight', 'fc1.bias', 'model.head.weight'], ['module.fc1.weight', '_orig_mod.fc1.bias', 'head.weight']);
  assert.deepEqual([...m.pairs], [['fc1.weight', 'module.fc1.weight'], ['fc1.bias', '_orig_mod.fc1.bias'], ['model.head.weight', 'head.weight']]);
  assert.deepEqual([m.missing, m.extra], [[], []]);
  assert.equal(m.byRule.length, 3);
});

test('exact matches win over rules, and an ambiguous stripped name matches nothing', () => {
  const exact = matchNames(['w', 'module.w'], ['w', 'module.w']);
  assert.deepEqual([...exact.pairs], [['w', 'w'], ['module.w', 'module.w']]);
  const ambiguous = matchNames(['w'], ['module.w', 'model.w']);
  assert.deepEqual([ambiguous.missing, ambiguous.extra], [['w'], ['module.w', 'model.w']]);
});

test('batch-norm counters are skipped; unknown tensors are extra; uncovered initializers are missing', () => {
  const m = matchNames(['bn.weight', 'onnx::Gemm_12'], ['bn.weight', 'bn.num_batches_tracked', 'fc.weight']);
  assert.deepEqual(m.skipped, ['bn.num_batches_tracked']);
  assert.deepEqual(m.extra, ['fc.weight']);
  assert.deepEqual(m.missing, ['onnx::Gemm_12']);
});

test('steps come from the last number in a file name, or from --steps', () => {
  assert.equal(stepFromName('run3/step-00120.safetensors'), 120);
  assert.equal(stepFromName('ckpt_epoch2_iter50.npz'), 50);
  assert.equal(stepFromName('final.safetensors'), null);
  const ordered = orderCheckpoints(['c/step-10.npz', 'c/step-2.npz', 'c/step-0.npz']);
  assert.deepEqual(ordered.map((c) => c.step), [0, 2, 10]);
  assert.deepEqual(parseSteps('0:100:10'), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.deepEqual(parseSteps('0, 5,7'), [0, 5, 7]);
  assert.deepEqual(orderCheckpoints(['b.npz', 'a.npz'], [0, 50]).map((c) => [c.file, c.step]), [['a.npz', 0], ['b.npz', 50]]);
  assert.throws(() => orderCheckpoints(['final.npz', 'x.npz']), /final\.npz has no step number in its name; pass --steps/);
  assert.throws(() => orderCheckpoints(['a-1.npz', 'b-01.npz']), /are both step 1/);
  assert.throws(() => orderCheckpoints(['a.npz', 'b.npz'], [0]), /--steps gives 1 steps for 2 checkpoint files/);
  assert.throws(() => parseSteps('0:10:0'), /expected a:b:k/);
});
