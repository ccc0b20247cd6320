// The issue-12 commands end to end on a short fixture run with its last layer frozen: the freeze
// report finds fc_3 frozen from the first row, the overfitting report's per-layer validation LCA adds
// up to the stored val_lca_sum, and `lca prune`'s unpruned loss is the compute's own L(θ_T).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainConfig } from '../src/config/schema.js';
import { resolveConfig } from '../src/config/validate.js';
import { runAnalysis } from '../src/jobs/analyze.js';
import { runCompute } from '../src/jobs/compute.js';
import { runDryRun } from '../src/jobs/dry-run.js';
import { runPrune } from '../src/jobs/prune.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { runTraining } from '../src/jobs/train.js';
import { buildFigure } from '../src/plot/figures.js';
import { svgFromSpec } from '../src/plot/render.js';
import { RunSource } from '../src/jobs/run-source.js';
import type { Report } from '../src/report/format.js';
import { openRowFile } from '../src/store/arrow-rows.js';
import { lcaDir, readLcaBatches } from '../src/store/lca-parts.js';
import { readManifest } from '../src/store/manifest.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-act-'));
const run = path.join(tmp, 'frozen');
const T = 4;
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const rowsOf = (report: Report, table: string) => {
  const t = report.tables.find((x) => x.name === table)!;
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, k) => [c, r[k]])));
};

test.before(async () => {
  const config = resolveConfig([{ where: 'test', values: {
    dataset: 'fashion-mnist-fixture', iterations: T, backend: 'wasm', eval_batch_size: 5000, seed: 2,
    optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 }, freeze: { variables: ['fc_3/*'] },
  } }]);
  await runTraining({ config, out: run, force: false, projectRoot, reporter: silentReporter });
  await runCompute({ run, method: 'first-order', val: true, tolerance: 1e-3, maxSplits: 32, partSize: T, backend: 'wasm', force: false, projectRoot, reporter: silentReporter });
});

test('freeze: the frozen last layer is in the band from row 0, saving its gradient FLOPs on every step', async () => {
  const report = await runAnalysis({ run, report: 'freeze' });
  const fc3 = rowsOf(report, 'layers').find((l) => l.layer === 'fc_3')!;
  const batch = (readManifest(run).config as TrainConfig).batch_size;
  assert.equal(fc3.frozen_from, 0);
  assert.equal(fc3.iterations_frozen, T);
  assert.equal(fc3.lca, 0);
  assert.equal(fc3.flops_saved, T * batch * (2 * 50 * 10 + 10)); // kernel 2·in·out, bias 1 per output
  assert.equal(report.summary.training_flops, T * batch * (3 * 2 * (784 * 100 + 100 * 50 + 50 * 10) + 2 * (100 + 50 + 10)));
  const fc1 = rowsOf(report, 'layers').find((l) => l.layer === 'fc_1')!;
  assert.equal(fc1.frozen_from, null, 'fc_1 is still learning at the last row');
});

test('overfitting: per-layer validation LCA adds up to the stored val_lca_sum; the frozen layer never disagrees', async () => {
  const report = await runAnalysis({ run, report: 'overfitting', merge: 'none' });
  const cells = rowsOf(report, 'iterations');
  const stored = new Map<number, number>();
  for await (const batch of readLcaBatches(lcaDir(run, 'first-order'), 0, T - 1)) {
    for (let r = 0; r < batch.numRows; r++) stored.set(batch.scalar('iteration')[r], batch.scalar('val_lca_sum')[r]);
  }
  for (let t = 0; t < T; t++) {
    const sum = cells.filter((c) => c.iteration === t).reduce((a, c) => a + (c.val_lca as number), 0);
    assert.ok(Math.abs(sum - stored.get(t)!) <= 1e-9 * Math.abs(stored.get(t)!), `row ${t}: ${sum} vs ${stored.get(t)}`);
  }
  assert.ok(cells.filter((c) => (c.layer as string).startsWith('fc_3/')).every((c) => c.train_lca === 0 && c.val_lca === 0 && c.disagree === 0));
  assert.equal(rowsOf(report, 'losses').length, T + 1);
  const svg = await svgFromSpec((await buildFigure('overfitting', await RunSource.open(run))).spec);
  assert.ok(svg.includes('Overfitting') && svg.includes('mark-line') && svg.includes('validation'), 'the overfitting figure draws both losses');
});

test('prune: the unpruned loss is the compute\'s L(θ_T); masks keep round(keep·K); the mask file holds them', async () => {
  const out = path.join(tmp, 'mask.arrow');
  const report = await runPrune({ run, keep: [0.5, 1], by: 'total-help', out, force: false, seed: 0, randomMasks: 3, backend: 'wasm', projectRoot, reporter: silentReporter });
  let lastNextLoss = Number.NaN;
  for await (const batch of readLcaBatches(lcaDir(run, 'first-order'), T - 1, T - 1)) lastNextLoss = batch.scalar('next_loss')[batch.numRows - 1];
  assert.ok(Math.abs((report.summary.train_loss as number) - lastNextLoss) < 1e-6, `${report.summary.train_loss} vs ${lastNextLoss}`);
  const check = rowsOf(report, 'check');
  const K = readManifest(run).model.parameters;
  assert.deepEqual(check.map((c) => [c.keep, c.mask]), [[1, 'none'], [0.5, 'magnitude'], [0.5, 'total-help'], [0.5, 'recent-help'], [0.5, 'random'],
    [1, 'magnitude'], [1, 'total-help'], [1, 'recent-help'], [1, 'random']]);
  assert.ok(check.filter((c) => c.keep === 0.5).every((c) => c.kept === Math.round(K / 2)));
  for (const c of check.filter((c) => c.keep === 1)) assert.ok(Math.abs((c.train_loss as number) - lastNextLoss) < 1e-6, `keep 1 by ${c.mask} is θ_T`);
  const random = check.find((c) => c.mask === 'random' && c.keep === 0.5)!;
  assert.equal(random.masks, 3);
  assert.ok((random.train_loss_std as number) > 0);

  const file = await openRowFile(out);
  const rows: { keep: number; kept: number; ones: number }[] = [];
  for await (const batch of file.batches()) {
    for (let r = 0; r < batch.numRows; r++) {
      let ones = 0;
      file.vectorColumns.forEach((v, k) => batch.vector(k).subarray(r * v.size, (r + 1) * v.size).forEach((x) => (ones += x)));
      rows.push({ keep: batch.scalar('keep')[r], kept: batch.scalar('kept')[r], ones });
    }
  }
  await file.close();
  assert.deepEqual(rows, [{ keep: 0.5, kept: Math.round(K / 2), ones: Math.round(K / 2) }, { keep: 1, kept: K, ones: K }]);
  assert.equal(file.metadata.get('lca.kind'), 'mask');
  await assert.rejects(runPrune({ run, keep: [0.5], by: 'magnitude', out, force: false, seed: 0, randomMasks: 1, backend: 'wasm', projectRoot, reporter: silentReporter }), /already exists; pass --force/);
});

test('compute --dry-run: the gradients and bytes a simpson compute of the run then takes', async () => {
  const options = { run, method: 'simpson' as const, val: true, tolerance: 1e-3, maxSplits: 32, partSize: 3, backend: 'wasm' as const, force: false, projectRoot, reporter: silentReporter };
  const report = await runDryRun(options);
  const estimate = Object.fromEntries(rowsOf(report, 'estimate').map((r) => [r.quantity, r.value]));
  assert.equal(estimate.rows, T);
  assert.equal(estimate.gradients, (T + 1) + T); // θ_0 … θ_T, and one midpoint per row
  assert.ok((estimate.gradient_seconds as number) > 0 && (estimate.interior_gradient_seconds as number) > 0);
  assert.ok((report.summary.peak_memory_bytes as number) > 50e6, 'at least the data and the engine');
  assert.equal(fs.existsSync(lcaDir(run, 'simpson')), false, 'a dry run computes and writes nothing');
  const summary = await runCompute(options);
  assert.equal(summary.gradients, estimate.gradients);
  const written = fs.readdirSync(lcaDir(run, 'simpson')).reduce((n, f) => n + fs.statSync(path.join(lcaDir(run, 'simpson'), f)).size, 0);
  const disk = report.summary.disk_bytes as number;
  assert.ok(Math.abs(disk - written) / written < 0.01, `disk estimate ${disk} vs ${written} written`);
});

test('compute --dry-run on adaptive: the first row is integrated, so a doubling is counted, not assumed away', async () => {
  // A tolerance no row meets: every row doubles to --max-splits 4, the first one in the dry run too.
  const options = { run, method: 'adaptive' as const, iterations: [0, 1] as [number, number], val: false, tolerance: 1e-12, maxSplits: 4, partSize: 3, backend: 'wasm' as const, force: false, projectRoot, reporter: silentReporter };
  const estimate = Object.fromEntries(rowsOf(await runDryRun(options), 'estimate').map((r) => [r.quantity, r.value]));
  assert.equal(estimate.splits_per_row, 4);
  assert.equal(estimate.gradients, 3 + 2 * 3, 'θ_0 … θ_2, and 3 points inside each of the 2 segments');
  const summary = await runCompute(options);
  assert.equal(summary.gradients, estimate.gradients);
});

test('compute --dry-run after blocks of --every 2: the splits it reads are the blocks\' largest, and it says they bound the mean', async () => {
  const blocks = path.join(tmp, 'blocks'); // a copy: the tests above computed this method's rows without blocks
  fs.cpSync(run, blocks, { recursive: true });
  fs.rmSync(lcaDir(blocks, 'adaptive'), { recursive: true, force: true });
  const options = { run: blocks, method: 'adaptive' as const, every: 2, val: false, tolerance: 1e-12, maxSplits: 4, partSize: 3, backend: 'wasm' as const, force: false, projectRoot, reporter: silentReporter };
  await runCompute({ ...options, iterations: [0, 1] });
  const estimate = rowsOf(await runDryRun(options), 'estimate').find((r) => r.quantity === 'splits_per_row')!;
  assert.equal(estimate.value, 4);
  assert.match(String(estimate.how), /^adaptive: the mean of the 1 computed blocks' largest splits, an upper bound/);
});
