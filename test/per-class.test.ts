// Per-class LCA (--per-class): class objectives ride along without driving Simpson doubling, and on
// a real fixture run the class LCAs weighted by n_c/N add up to the total LCA, per row and per variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/validate.js';
import { integrateSegment, type Evaluation } from '../src/lca/integrate.js';
import { orderByClass } from '../src/lca/full-dataset.js';
import { runTraining } from '../src/jobs/train.js';
import { runCompute } from '../src/jobs/compute.js';
import { runAnalysis } from '../src/jobs/analyze.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { classColumn, classVariableColumn, lcaDir, readLcaBatches } from '../src/store/lca-parts.js';
import { firstPartMetadata } from './helpers/parts.js';
import { readManifest } from '../src/store/manifest.js';
import { lca } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = tempDir('lca-per-class-');
const T = 5;

test('only the driving objectives decide doubling; the others ride along on the same points', async () => {
  // Objective 0: quadratic loss (Simpson exact, error 0). Objective 1: x^6 (Simpson inexact).
  const f = [(x: number) => x * x, (x: number) => x ** 6];
  const df = [(x: number) => 2 * x, (x: number) => 6 * x ** 5];
  const evaluate = (theta: Float32Array): Evaluation => ({
    losses: f.map((fk) => Array.from(theta).reduce((a, x) => a + fk(x), 0)),
    gradients: df.map((dk) => Float64Array.from(theta, dk)),
  });
  const [a, b] = [Float32Array.from([0, 0.5]), Float32Array.from([1.5, -1])];
  const run = (driving?: number) => integrateSegment(a, b, evaluate(a), evaluate(b), (t) => evaluate(t).gradients, { method: 'adaptive', tolerance: 1e-6, maxSplits: 32, driving });
  const free = await run(1);
  assert.equal(free.splits, 2);
  assert.ok(Math.abs(free.errors[0]) < 1e-12);
  assert.ok(Math.abs(free.errors[1]) > 1e-3, 'the passenger keeps its own (larger) error');
  assert.ok((await run()).splits > 2, 'without `driving`, every objective drives');
});

test('orderByClass sorts stably by label and counts each class', () => {
  const labels = Uint8Array.from([2, 0, 1, 0, 2, 2]);
  const { order, counts } = orderByClass(labels, Int32Array.from([0, 1, 2, 3, 4, 5]), 3);
  assert.deepEqual(Array.from(order), [1, 3, 2, 0, 4, 5]);
  assert.deepEqual(counts, [2, 1, 3]);
  assert.deepEqual(Array.from(orderByClass(labels, Int32Array.from([5, 1, 0]), 3).order), [1, 5, 0]);
});

test('fixture run: Σ_c (n_c/N) class LCA = total LCA per row and per variable', async () => {
  const run = path.join(tmp, 'run');
  const config = resolveConfig([{ where: 'test', values: { dataset: 'fashion-mnist-fixture', iterations: T, backend: 'wasm', eval_batch_size: 5000, optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 } } }]);
  await runTraining({ config, out: run, force: false, projectRoot, reporter: silentReporter });
  await runCompute({ run, method: 'adaptive', val: false, perClass: true, tolerance: 1e-3, maxSplits: 32, partSize: 3, backend: 'wasm', force: false, projectRoot, reporter: silentReporter });
  const counts = JSON.parse((await firstPartMetadata(lcaDir(run, 'adaptive'))).get('lca.class_counts')!) as number[];
  const N = counts.reduce((x, y) => x + y, 0);
  assert.equal(counts.length, 10);
  assert.equal(N, 10_000);
  const variables = readManifest(run).model.variables;
  const worst = { lca: 0, variable: 0, loss: 0, relative: 0 };
  let rows = 0;
  for await (const batch of readLcaBatches(lcaDir(run, 'adaptive'), 0, T - 1)) {
    for (let r = 0; r < batch.numRows; r++, rows++) {
      const weighted = (column: (c: number) => string) => counts.reduce((s, n, c) => s + (n / N) * batch.scalar(column(c))[r], 0);
      const total = batch.scalar('lca_sum')[r];
      worst.lca = Math.max(worst.lca, Math.abs(weighted((c) => classColumn(c, 'lca_sum')) - total));
      worst.relative = Math.max(worst.relative, Math.abs(weighted((c) => classColumn(c, 'lca_sum')) - total) / Math.abs(total));
      worst.loss = Math.max(worst.loss, Math.abs(weighted((c) => classColumn(c, 'loss')) - batch.scalar('loss')[r]));
      variables.forEach((v, k) => {
        const values = batch.vector(k).subarray(r * v.size, (r + 1) * v.size); // float32-rounded total LCA
        let sum = 0;
        for (const x of values) sum += x;
        worst.variable = Math.max(worst.variable, Math.abs(weighted((c) => classVariableColumn(c, v.name)) - sum));
      });
      for (let c = 0; c < 10; c++) assert.ok(Number.isFinite(batch.scalar(classColumn(c, 'error'))[r]));
    }
  }
  assert.equal(rows, T);
  console.log(`per-class sum check over ${T} rows: max |Σ w_c lca_sum_c − lca_sum| = ${worst.lca.toExponential(2)} (relative ${worst.relative.toExponential(2)}), ` +
    `per variable ${worst.variable.toExponential(2)}, loss ${worst.loss.toExponential(2)}`);
  assert.ok(worst.lca < 1e-9, `lca_sum ${worst.lca}`);
  assert.ok(worst.loss < 1e-9, `loss ${worst.loss}`);
  assert.ok(worst.variable < 1e-6, `variables ${worst.variable}`); // the stored LCA is float32

  const sync = await runAnalysis({ run, report: 'sync', draws: 50 });
  assert.equal(sync.summary.classes, 10);
  assert.equal(sync.summary.series, 30);
  assert.equal(sync.context.lca, 'per-class');
});

test('--workers forwards --per-class: two processes give the same class columns, bit for bit', async () => {
  const run = path.join(tmp, 'run');
  const copy = path.join(tmp, 'workers');
  fs.cpSync(run, copy, { recursive: true, filter: (from) => path.relative(run, from).split(path.sep)[0] !== 'lca' });
  const result = lca(['compute', '--run', copy, '--per-class', '--workers', '2', '--part-size', '3', '--backend', 'wasm']);
  assert.equal(result.code, 0, result.stderr);
  const columns = async (where: string) => {
    const rows: number[][] = [];
    for await (const batch of readLcaBatches(lcaDir(where, 'adaptive'), 0, T - 1)) {
      for (let r = 0; r < batch.numRows; r++) rows.push([0, 3, 9].flatMap((c) => [batch.scalar(classColumn(c, 'lca_sum'))[r], batch.scalar(classVariableColumn(c, 'fc_2/kernel'))[r]]));
    }
    return rows;
  };
  assert.deepEqual(await columns(copy), await columns(run));
});
