// `lca compute --subset N`: an approximation on N seeded training examples, marked as such in the part
// metadata, `lca status` and every analyze report; a setting all parts must share. And batch-norm runs
// refuse an evaluation batch other than the run's (and --per-class) unless told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/validate.js';
import { RandomState } from '../src/data/mt19937.js';
import { ExistsError, UsageError } from '../src/errors.js';
import { runAnalysis } from '../src/jobs/analyze.js';
import { runCompute, type ComputeOptions } from '../src/jobs/compute.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { runStatus } from '../src/jobs/status.js';
import { runTraining } from '../src/jobs/train.js';
import { subsetIndices } from '../src/lca/subset.js';
import { lcaDir, readLcaBatches } from '../src/store/lca-parts.js';
import { firstPartMetadata } from './helpers/parts.js';
import { tempDir } from './helpers/temp-dir.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = tempDir('lca-subset-');
const run = path.join(tmp, 'run');
const T = 3;
const common = (where: string): ComputeOptions => ({
  run: where, method: 'simpson', val: false, tolerance: 1e-3, maxSplits: 32, partSize: 50, backend: 'wasm', force: false, projectRoot, reporter: silentReporter,
});

async function lossesOf(where: string, method = 'simpson'): Promise<number[]> {
  const losses: number[] = [];
  for await (const batch of readLcaBatches(lcaDir(where, method), 0, T - 1)) for (let r = 0; r < batch.numRows; r++) losses.push(batch.scalar('loss')[r]);
  return losses;
}

test('subsetIndices: the first N of numpy\'s permutation, ascending, distinct; N is checked', () => {
  const indices = subsetIndices({ count: 100, of: 1000, seed: 3 });
  const expected = Array.from(new RandomState(3).permutation(1000).subarray(0, 100)).sort((a, b) => a - b);
  assert.deepEqual(Array.from(indices), expected);
  assert.equal(new Set(indices).size, 100);
  assert.throws(() => subsetIndices({ count: 1001, of: 1000, seed: 0 }), UsageError);
  assert.throws(() => subsetIndices({ count: 0, of: 1000, seed: 0 }), UsageError);
});

test('--subset: an approximate loss, marked in the parts, status and reports; settings must agree', async () => {
  const config = resolveConfig([{ where: 'test', values: { dataset: 'fashion-mnist-fixture', iterations: T, backend: 'wasm', eval_batch_size: 5000 } }]);
  await runTraining({ config, out: run, force: false, projectRoot, reporter: silentReporter });
  const full = path.join(tmp, 'full');
  fs.cpSync(run, full, { recursive: true });
  await runCompute(common(full));
  await runCompute({ ...common(run), subset: 2000, evalBatchSize: 700 }); // 3 batches, the last shorter
  const metadata = await firstPartMetadata(lcaDir(run, 'simpson'));
  assert.equal(metadata.get('lca.approximation'), 'subset: 2000 of 10000 training examples (seed 0)');
  assert.equal(JSON.parse(metadata.get('lca.compute')!).subset, 2000);
  const [approximate, exact] = [await lossesOf(run), await lossesOf(full)];
  approximate.forEach((l, t) => {
    assert.notEqual(l, exact[t]);
    assert.ok(Math.abs(l - exact[t]) < 0.1, `subset loss ${l} vs full ${exact[t]}`);
  });

  const status = await runStatus({ run });
  assert.equal(status.context.subset, 'simpson: 2000 of 10000');
  const methods = status.tables.find((t) => t.name === 'methods')!;
  const simpson = methods.rows.find((r) => r[0] === 'simpson')!;
  assert.equal(simpson[methods.columns.indexOf('subset')], '2000 of 10000');
  for (const report of ['helped', 'layers', 'error', 'sync', 'concentration', 'tails', 'oscillations', 'neurons'] as const) {
    const r = await runAnalysis({ run, report, draws: 10, sample: 1000 });
    assert.equal(r.context.subset, '2000 of 10000', report);
  }
  assert.equal((await runAnalysis({ run: full, report: 'helped' })).context.subset, undefined);

  await assert.rejects(runCompute({ ...common(run), subset: 3000, evalBatchSize: 700, force: false }), (err: Error) => err instanceof ExistsError && /subset 2000 → 3000/.test(err.message));
  await assert.rejects(runCompute({ ...common(run), evalBatchSize: 700 }), (err: Error) => err instanceof ExistsError && /subset 2000 → null/.test(err.message));
});

test('batch norm: another --eval-batch-size, or --per-class, is refused unless allowed', async () => {
  const bn = path.join(tmp, 'bn');
  fs.cpSync(run, bn, { recursive: true, filter: (from) => path.relative(run, from).split(path.sep)[0] !== 'lca' });
  const file = path.join(bn, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  manifest.model.uses_batch_statistics = true; // as a BN network's run would say
  fs.writeFileSync(file, JSON.stringify(manifest));
  await assert.rejects(runCompute({ ...common(bn), evalBatchSize: 2500 }), (err: Error) => err instanceof UsageError && /--eval-batch-size 2500.*batch statistics.*trained with 5000.*--allow-eval-batch-change/.test(err.message));
  await assert.rejects(runCompute({ ...common(bn), perClass: true }), (err: Error) => err instanceof UsageError && /--per-class.*batch statistics/.test(err.message));
  await runCompute({ ...common(bn), evalBatchSize: 5000, iterations: [0, 0] }); // the run's own size is fine
  const summary = await runCompute({ ...common(bn), evalBatchSize: 2500, allowEvalBatchChange: true, force: true, iterations: [0, 0] });
  assert.equal(summary.computed, 1);
  assert.equal(JSON.parse((await firstPartMetadata(lcaDir(bn, 'simpson'))).get('lca.compute')!).eval_batch_size, 2500);
});
