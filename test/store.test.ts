// `lca compute --store units|layers` and `--every k` end to end on one short fixture run computed five
// ways: the layers report is the same from every store, units are the full matrix summed per unit,
// blocks are sums of the per-iteration rows and stay grounded, stores never mix, and whatever needs
// every parameter says so in one line with a non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/validate.js';
import { runAnalysis } from '../src/jobs/analyze.js';
import { runCompute, type ComputeOptions } from '../src/jobs/compute.js';
import { writeHtmlReport } from '../src/jobs/html-report.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { RunSource } from '../src/jobs/run-source.js';
import { runStatus } from '../src/jobs/status.js';
import { runTraining } from '../src/jobs/train.js';
import type { Report } from '../src/report/format.js';
import { openRowFile } from '../src/store/arrow-rows.js';
import { ComputedRun } from '../src/store/computed-run.js';
import { lcaDir, lcaLayout, listParts } from '../src/store/lca-parts.js';
import { readManifest } from '../src/store/manifest.js';
import { readPartMetadata } from '../src/store/part-metadata.js';
import { scanRowFile } from '../src/store/row-scan.js';
import { lca } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = tempDir('lca-store-');
const T = 5; // with --every 2: blocks {0, 1}, {2, 3}, {4}
const runs = {
  full: path.join(tmp, 'full'), units: path.join(tmp, 'units'), layers: path.join(tmp, 'layers'),
  blocks: path.join(tmp, 'blocks'), // --store layers --every 2 --per-class, computed in two goes (a resume)
  fullBlocks: path.join(tmp, 'full-blocks'), // --store full --every 2 --save-gradients
};
const method = 'first-order';

const compute = (run: string, extra: Partial<ComputeOptions>) => runCompute({
  run, method, val: true, tolerance: 1e-3, maxSplits: 32, partSize: 2, backend: 'wasm', force: false, projectRoot, reporter: silentReporter, ...extra,
});
const dir = (run: string) => lcaDir(run, method);
const bytes = (run: string) => fs.readdirSync(dir(run)).reduce((n, f) => n + fs.statSync(path.join(dir(run), f)).size, 0);
const table = (r: Report, name: string) => {
  const t = r.tables.find((x) => x.name === name)!;
  return t.rows.map((row) => Object.fromEntries(t.columns.map((c, k) => [c, row[k]])));
};
const close = (a: number, b: number, relative: number, what: string, absolute = 1e-12) =>
  assert.ok(Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b)) + absolute, `${what}: ${a} vs ${b}`);

/** Every stored row of a run: its scalars by name and its vectors, in manifest order. */
async function storedRows(run: string) {
  const rows: { scalars: Map<string, number>; vectors: Float32Array[] }[] = [];
  for (const part of listParts(dir(run))) {
    const { scalars, vectorColumns } = await scanRowFile(part.file);
    const first = rows.length;
    for (let r = 0; r < scalars.get('iteration')!.length; r++) rows.push({ scalars: new Map([...scalars].map(([n, c]) => [n, c[r]])), vectors: [] });
    const file = await openRowFile(part.file);
    let at = first;
    for await (const batch of file.batches()) {
      for (let r = 0; r < batch.numRows; r++, at++) rows[at].vectors = vectorColumns.map((c, k) => batch.vector(k).slice(r * c.size, (r + 1) * c.size));
    }
    await file.close();
  }
  return rows;
}

test.before(async () => {
  const config = resolveConfig([{ where: 'test', values: { dataset: 'fashion-mnist-fixture', iterations: T, backend: 'wasm', eval_batch_size: 5000, seed: 3 } }]);
  await runTraining({ config, out: runs.full, force: false, projectRoot, reporter: silentReporter });
  for (const copy of [runs.units, runs.layers, runs.blocks, runs.fullBlocks]) fs.cpSync(runs.full, copy, { recursive: true });
  await compute(runs.full, {});
  await compute(runs.units, { store: 'units' });
  await compute(runs.layers, { store: 'layers' });
  await compute(runs.blocks, { store: 'layers', every: 2, perClass: true, iterations: [0, 1] });
  await compute(runs.blocks, { store: 'layers', every: 2, perClass: true }); // resumes after the committed block
  await compute(runs.fullBlocks, { every: 2, saveGradients: true });
});

test('analyze --report layers: the same totals (≤ 1e-6 relative) from every store, the layers store from a fraction of the bytes', async () => {
  const totals = async (run: string) => new Map(table(await runAnalysis({ run, report: 'layers', merge: 'none' }), 'variables').map((r) => [r.variable as string, r.lca as number]));
  const full = await totals(runs.full);
  for (const run of [runs.units, runs.layers, runs.blocks, runs.fullBlocks]) {
    const other = await totals(run);
    for (const [name, value] of full) close(other.get(name)!, value, 1e-6, `${path.basename(run)} ${name}`);
  }
  assert.ok(bytes(runs.layers) < bytes(runs.full) / 20, `${bytes(runs.layers)} vs ${bytes(runs.full)} bytes`);
  assert.ok(bytes(runs.units) < bytes(runs.full) / 20, `${bytes(runs.units)} vs ${bytes(runs.full)} bytes`);
});

test('--store units: each row holds the full matrix summed over all but each variable\'s last axis; neurons agrees', async () => {
  const { variables } = readManifest(runs.full).model;
  const full = await storedRows(runs.full);
  const units = await storedRows(runs.units);
  assert.equal(units.length, T);
  units.forEach((row, t) => variables.forEach((v, k) => {
    const n = v.shape.at(-1) ?? 1;
    assert.equal(row.vectors[k].length, n, v.name);
    const sums = new Float64Array(n);
    const scale = new Float64Array(n);
    full[t].vectors[k].forEach((x, i) => { sums[i % n] += x; scale[i % n] += Math.abs(x); });
    // float32 storage on both sides: the per-unit sums agree to float32 rounding of the |LCA| summed
    sums.forEach((s, u) => assert.ok(Math.abs(row.vectors[k][u] - s) <= 1e-6 * scale[u] + 1e-12, `row ${t} ${v.name}[${u}]: ${row.vectors[k][u]} vs ${s}`));
  }));
  const neurons = async (run: string) => table(await runAnalysis({ run, report: 'neurons', merge: 'none' }), 'neurons');
  const [a, b] = [await neurons(runs.full), await neurons(runs.units)];
  assert.equal(a.length, variables.reduce((n, v) => n + (v.shape.at(-1) ?? 1), 0));
  a.forEach((row, j) => {
    assert.deepEqual([b[j].layer, b[j].unit], [row.layer, row.unit]);
    close(b[j].lca as number, row.lca as number, 1e-5, `neurons ${row.layer} ${row.unit}`);
  });
});

test('--every 2: one row per block, losses at its ends, LCA, errors and per-class columns summed, so every row stays grounded', async () => {
  const full = await storedRows(runs.full);
  const { variables } = readManifest(runs.full).model;
  const blocks: [number, number][] = [[0, 1], [2, 3], [4, 4]];
  for (const run of [runs.fullBlocks, runs.blocks]) {
    // Per-class evaluation groups the examples by class, which moves losses and LCA by float rounding (~1e-6 nats).
    const [rounding, absolute] = run === runs.blocks ? [1e-5, 1e-5] : [1e-9, 1e-12];
    const rows = await storedRows(run);
    assert.deepEqual(rows.map((r) => [r.scalars.get('iteration'), r.scalars.get('iterations')]), [[0, 2], [2, 2], [4, 1]], run);
    blocks.forEach(([a, b], j) => {
      const s = rows[j].scalars;
      const within = full.slice(a, b + 1);
      close(s.get('loss')!, within[0].scalars.get('loss')!, rounding, 'loss', absolute);
      close(s.get('next_loss')!, within.at(-1)!.scalars.get('next_loss')!, rounding, 'next_loss', absolute);
      close(s.get('val_next_loss')!, within.at(-1)!.scalars.get('val_next_loss')!, 1e-9, 'val_next_loss');
      const summed = ['lca_sum', 'delta_loss', 'val_lca_sum', 'val_delta_loss', ...(run === runs.blocks ? variables.map((v) => v.name) : [])];
      for (const c of summed) {
        const expected = within.reduce((sum, w) => sum + (w.scalars.get(c) ?? variables.reduce((n, v, k) => n + (v.name === c ? w.vectors[k].reduce((x, y) => x + y, 0) : 0), 0)), 0);
        close(s.get(c)!, expected, rounding, `${path.basename(run)} block ${a}-${b} ${c}`, absolute);
      }
      for (const prefix of ['', 'val_', ...(run === runs.blocks ? ['class_3_'] : [])]) {
        const get = (c: string) => s.get(`${prefix}${c}`)!;
        assert.ok(Math.abs(get('next_loss') - get('loss') - get('lca_sum') - get('error')) < 1e-9, `${prefix}error = ΔL − Σ LCA in block ${a}-${b}`);
      }
      if (run === runs.fullBlocks) { // the vectors too: the block's LCA is the sum of its rows' (float32 storage)
        rows[j].vectors.forEach((vector, k) => vector.forEach((x, i) => {
          const expected = within.reduce((sum, w) => sum + w.vectors[k][i], 0);
          assert.ok(Math.abs(x - expected) <= 1e-6 * Math.abs(expected) + 1e-12, `${variables[k].name}[${i}] block ${a}: ${x} vs ${expected}`);
        }));
      }
    });
  }
  // Reports read blocks as rows and say so; freeze counts iterations, not rows.
  const freeze = await runAnalysis({ run: runs.blocks, report: 'freeze' });
  assert.match(String(freeze.context.lca_rows), /blocks of 2 iterations/);
  assert.match(String(freeze.context.store), /^layers/);
  assert.equal(freeze.summary.training_flops, (await runAnalysis({ run: runs.full, report: 'freeze' })).summary.training_flops);
  const overfitting = await runAnalysis({ run: runs.blocks, report: 'overfitting' });
  assert.deepEqual(table(overfitting, 'losses').map((r) => r.iteration), [0, 2, 4, 5]);
  for (const report of ['error', 'sync'] as const) assert.equal((await runAnalysis({ run: runs.blocks, report })).report, report);
  assert.match((await RunSource.open(runs.blocks)).provenance(), /\(first-order, one row per block of 2 iterations\)$/); // every figure's subtitle
  // Saved gradients stay one row per iterate; oscillations, which pairs them with LCA rows, refuses blocks.
  const gradients = await (await ComputedRun.open(runs.fullBlocks)).gradientParts();
  assert.deepEqual(gradients.map((p) => [p.first, p.last, p.scalars.get('iteration')!.length]), [[0, 3, 4], [4, 5, 2]]);
  await assert.rejects(runAnalysis({ run: runs.fullBlocks, report: 'oscillations' }), /analyze --report oscillations needs one row per iteration; .* was computed with --every 2 \(recompute with --every 1\)/);
});

test('stores never mix: a compute with another --store or --every, and a folder holding both, are refused', async () => {
  await assert.rejects(compute(runs.layers, {}), /store "layers" → "full"/);
  await assert.rejects(compute(runs.layers, { store: 'layers', every: 2 }), /every 1 → 2/);
  const mixed = path.join(tmp, 'mixed');
  fs.cpSync(runs.full, mixed, { recursive: true });
  const [, second] = listParts(dir(mixed));
  fs.rmSync(second.file);
  fs.copyFileSync(listParts(dir(runs.layers))[1].file, second.file);
  await assert.rejects(runAnalysis({ run: mixed, report: 'layers' }), /other settings than .*store "full" → "layers"/);
  fs.rmSync(mixed, { recursive: true });
  // Blocks cannot be split among shards, nor cut by a range.
  await assert.rejects(compute(runs.blocks, { store: 'layers', every: 2, shard: { index: 0, count: 2, source: '--shard 0/2' } }), /--every 2 with a shard/);
  await assert.rejects(compute(runs.blocks, { store: 'layers', every: 2, iterations: [1, 3] }), /must start on a multiple of 2/);
  await assert.rejects(runAnalysis({ run: runs.blocks, report: 'layers', iterations: [1, 2] }), /blocks of 2 iterations/);
});

test('parts written before --store existed read as full, every 1; a layers sum never overwrites a column', () => {
  const named = (name: string) => [{ name, shape: [2], offset: 0, size: 2, dtype: 'float32' }] as unknown as Parameters<typeof lcaLayout>[0];
  assert.throws(() => lcaLayout(named('loss'), false, 0, { store: 'layers', every: 1 }), /--store layers: variable loss has the name of a per-iteration column/);
  assert.equal(lcaLayout(named('loss'), false, 0, { store: 'units', every: 1 }).vectors[0].size, 2);
  const settings = { method, val: false, tolerance: 1e-3, max_splits: 32, eval_batch_size: 5000, dataset_fingerprint: 'x', per_class: false, save_gradients: false, subset: null, subset_seed: null };
  const metadata = readPartMetadata('old.arrow', new Map([['lca.kind', 'lca'], ['lca.compute', JSON.stringify(settings)]]));
  assert.equal(metadata.settings.store, 'full');
  assert.equal(metadata.settings.every, 1);
  assert.throws(() => readPartMetadata('bad.arrow', new Map([['lca.kind', 'lca'], ['lca.compute', JSON.stringify({ ...settings, store: 'rows' })]])), /bad.arrow: lca.compute.store should be one of full, units, layers/);
});

test('whatever needs every parameter says so in one line naming the store, with exit code 1; the rest work', async () => {
  const helped = lca(['analyze', '--run', runs.layers, '--report', 'helped']);
  assert.equal(helped.code, 1);
  assert.equal(helped.stderr.trim(), `lca: analyze --report helped needs every parameter's LCA; ${dir(runs.layers)} was computed with --store layers (recompute with --store full)`);
  const neurons = lca(['analyze', '--run', runs.layers, '--report', 'neurons']);
  assert.equal(neurons.code, 1);
  assert.match(neurons.stderr, /needs per-unit LCA; .* --store layers \(recompute with --store units or full\)/);
  const heatmap = lca(['plot', '--run', runs.units, '--figure', 'heatmap', '--out', path.join(tmp, 'h.svg')]);
  assert.equal(heatmap.code, 1);
  assert.match(heatmap.stderr, /plot --figure heatmap needs every parameter's LCA; .* --store units/);
  assert.equal(heatmap.stderr.trim().split('\n').length, 1);
  const workers = lca(['compute', '--run', runs.blocks, '--store', 'layers', '--every', '2', '--workers', '2']);
  assert.deepEqual([workers.code, workers.stderr], [2, 'lca: --workers with --every 2: workers split rows, not blocks; compute the blocks in one process\n']);
  const cut = lca(['analyze', '--run', runs.blocks, '--report', 'layers', '--iterations', '1:3']);
  assert.equal(cut.code, 2);
  assert.match(cut.stderr, /^lca: --iterations 1:3: .* rows are blocks of 2 iterations/);
  const layers = lca(['analyze', '--run', runs.blocks, '--report', 'layers', '--table', 'summary', '--format', 'tsv']);
  assert.equal(layers.code, 0, layers.stderr);
  const status = await runStatus({ run: runs.blocks });
  assert.deepEqual(table(status, 'methods').map((m) => [m.store, m.computed]), [['layers, blocks of 2 iterations', T]]);
  assert.deepEqual(table(status, 'parts').map((p) => [p.first, p.last, p.rows]), [[0, 1, 1], [2, 4, 2]]); // the first compute stopped after block 0
  const out = path.join(tmp, 'report.html');
  await writeHtmlReport({ run: runs.layers, out, reporter: silentReporter });
  const html = fs.readFileSync(out, 'utf8');
  assert.match(html, /Not drawn: heatmap, helped, fraction-helped, lca-distribution, layer-helped: each of these figures needs every parameter&#39;s LCA/);
  assert.match(html, /not shown: analyze --report concentration needs every parameter/);
  assert.match(html, /id="table-layers"/);
});
