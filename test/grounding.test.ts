// The product's promise on real data: per iteration |ΔL − Σ LCA| ≤ 1e-3 and a cumulative relative
// error below 1% (paper §2; original-conventions.md §11), for a short MNIST-FC run on the fixture, on the
// default engine (ONNX Runtime), checked against TF.js (wasm) computing the same run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/validate.js';
import { runTraining } from '../src/jobs/train.js';
import { runCompute } from '../src/jobs/compute.js';
import { runAnalysis } from '../src/jobs/analyze.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { readLcaBatches, lcaDir } from '../src/store/lca-parts.js';
import { engineDiff } from '../src/analyze/engine-diff.js';
import { tempDir } from './helpers/temp-dir.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = tempDir('lca-grounding-');
const config = (overrides: object) => resolveConfig([{ where: 'test', values: { dataset: 'fashion-mnist-fixture', iterations: 10, backend: 'onnxruntime', eval_batch_size: 5000, ...overrides } }]);

async function errorsOf(run: string, method: 'adaptive' | 'first-order') {
  const errors: number[] = [];
  for await (const batch of readLcaBatches(lcaDir(run, method), 0, 9)) {
    const column = batch.scalar('error');
    for (let r = 0; r < batch.numRows; r++) errors.push(column[r]);
  }
  return errors;
}

for (const optimizer of [{ name: 'sgd', lr: 0.05, momentum: 0.9 }, { name: 'adam', lr: 0.001 }]) {
  test(`${optimizer.name}: every iteration grounded to 1e-3, cumulative error < 1%`, async () => {
    const run = path.join(tmp, optimizer.name);
    await runTraining({ config: config({ optimizer }), out: run, force: false, projectRoot, reporter: silentReporter });
    const common = { run, val: false, tolerance: 1e-3, maxSplits: 32, partSize: 4, backend: 'onnxruntime' as const, force: false, projectRoot, reporter: silentReporter };
    await runCompute({ ...common, method: 'adaptive' });
    const errors = await errorsOf(run, 'adaptive');
    assert.equal(errors.length, 10);
    for (const e of errors) assert.ok(Math.abs(e) <= 1e-3, `per-iteration error ${e}`);
    const report = await runAnalysis({ run, report: 'error' });
    assert.ok((report.summary.cumulative_relative_error as number) < 0.01);
    assert.ok((report.summary.total_delta_loss as number) < -0.1, 'training lowered the loss');

    // First order on the same path: a real, larger error, reported side by side.
    await runCompute({ ...common, method: 'first-order' });
    const firstOrder = await errorsOf(run, 'first-order');
    const worst = (xs: number[]) => Math.max(...xs.map(Math.abs));
    assert.ok(worst(firstOrder) > 10 * worst(errors), `first-order ${worst(firstOrder)} vs adaptive ${worst(errors)}`);
    const compared = await runAnalysis({ run, report: 'error' });
    assert.deepEqual(compared.tables[1].rows.map((r) => r[0]), ['first-order', 'adaptive']);
  });
}

test('TF.js (wasm) computing the same run gives the same LCA to 1e-4 (relative Frobenius), grounded alike, with the same splits', async () => {
  const run = path.join(tmp, 'sgd');
  const copy = path.join(tmp, 'sgd-on-wasm');
  fs.cpSync(run, copy, { recursive: true });
  fs.rmSync(path.join(copy, 'lca'), { recursive: true });
  await runCompute({ run: copy, method: 'adaptive', val: false, tolerance: 1e-3, maxSplits: 32, partSize: 4, backend: 'wasm', force: false, projectRoot, reporter: silentReporter });
  const diff = await engineDiff(run, copy);
  assert.equal(diff.rows, 10);
  assert.ok(diff.relative_frobenius_difference <= 1e-4, `relative Frobenius difference ${diff.relative_frobenius_difference}`);
  assert.ok(diff.relative_frobenius_difference > 0, 'two engines, two roundings: an exact match would mean one engine ran twice');
  assert.ok(diff.same_splits_percent >= 95);
  assert.ok(diff.b.max_abs_error_below_cap <= 1e-3 && diff.a.max_abs_error_below_cap <= 1e-3);
});

test('the same compute twice on ONNX Runtime writes the same part bytes', async () => {
  const run = path.join(tmp, 'sgd');
  const partsDir = lcaDir(run, 'adaptive');
  const before = fs.readdirSync(partsDir).sort().map((f) => fs.readFileSync(path.join(partsDir, f)));
  await runCompute({ run, method: 'adaptive', val: false, tolerance: 1e-3, maxSplits: 32, partSize: 4, backend: 'onnxruntime', force: true, projectRoot, reporter: silentReporter });
  const after = fs.readdirSync(partsDir).sort().map((f) => fs.readFileSync(path.join(partsDir, f)));
  assert.equal(after.length, before.length);
  after.forEach((bytes, k) => assert.ok(bytes.equals(before[k]), `part ${k} differs`));
});

test('the same seed and backend give bit-identical weights', async () => {
  const runs = ['a', 'b'].map((name) => path.join(tmp, `same-${name}`));
  for (const run of runs) await runTraining({ config: config({ iterations: 5 }), out: run, force: false, projectRoot, reporter: silentReporter });
  const [a, b] = runs.map((run) => fs.readFileSync(path.join(run, 'weights.arrow')));
  assert.ok(a.equals(b));
  const other = path.join(tmp, 'other-seed');
  await runTraining({ config: config({ iterations: 5, seed: 1 }), out: other, force: false, projectRoot, reporter: silentReporter });
  assert.ok(!fs.readFileSync(path.join(other, 'weights.arrow')).equals(a));
});

test('a resumed compute equals an uninterrupted one, bit for bit', async () => {
  const run = path.join(tmp, 'sgd');
  const common = { run, method: 'adaptive' as const, val: false, tolerance: 1e-3, maxSplits: 32, partSize: 4, backend: 'onnxruntime' as const, projectRoot, reporter: silentReporter };
  const partsDir = lcaDir(run, 'adaptive');
  const whole = fs.readdirSync(partsDir).sort().map((f) => fs.readFileSync(path.join(partsDir, f)));
  fs.rmSync(path.join(partsDir, fs.readdirSync(partsDir).sort()[1])); // lose the middle part
  const summary = await runCompute({ ...common, force: false });
  assert.equal(summary.computed, 4);
  assert.equal(summary.skipped, 6);
  const resumed = fs.readdirSync(partsDir).sort().map((f) => fs.readFileSync(path.join(partsDir, f)));
  assert.equal(resumed.length, whole.length);
  resumed.forEach((bytes, k) => assert.ok(bytes.equals(whole[k]), `part ${k} differs`));
});
