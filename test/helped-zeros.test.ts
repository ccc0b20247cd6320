// Exact zeros split in two (issue 13 item 4): LCA = ḡ·Δθ is 0 when a parameter did not move (Δθ = 0)
// and when it moved with an exactly zero full-data gradient (a dead unit coasting on momentum).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runAnalysis } from '../src/jobs/analyze.js';
import { buildFigure } from '../src/plot/figures.js';
import { svgFromSpec } from '../src/plot/render.js';
import { RunSource } from '../src/jobs/run-source.js';
import { readManifest } from '../src/store/manifest.js';
import { createWeightsWriter } from '../src/store/weights.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-zeros-');
const run = path.join(tmp, 'run');
const noWeights = path.join(tmp, 'no-weights');
const T = 3;
// a: [still, coasting, helps, hurts]; b: [helps, still from t = 1 on]
const lcaRow = (t: number, out: Float32Array) => out.set([0, 0, -1e-3, 2e-3, -1e-3, t === 0 ? -1e-3 : 0]);
const theta = (t: number) => Float32Array.from([0.5, 0.1 * t, -0.01 * t, 0.02 * t, 0.3 - 0.01 * t, t === 0 ? 0 : 0.05]);

before(async () => {
  for (const dir of [run, noWeights]) await writeAnalyzeRun(dir, [{ name: 'a/kernel', shape: [4] }, { name: 'b/kernel', shape: [2] }], T, lcaRow);
  const writer = createWeightsWriter(run, readManifest(run).model.variables);
  for (let t = 0; t <= T; t++) await writer.append({ iteration: t, minibatch_loss: 1 }, theta(t));
  await writer.close();
});

test('helped counts "did not move" and "moved, zero gradient" apart, per iteration, per layer and over the run', async () => {
  const report = await runAnalysis({ run, report: 'helped' });
  const iterations = report.tables.find((t) => t.name === 'iterations')!;
  const column = (name: string) => iterations.rows.map((r) => r[iterations.columns.indexOf(name)]);
  assert.deepEqual(column('zero'), [2, 3, 3]);
  assert.deepEqual(column('not_moved'), [1, 2, 2], 'a[0] always; b[1] once it stops');
  assert.deepEqual(column('moved_zero_gradient'), [1, 1, 1], 'a[1] moves every iteration with LCA exactly 0');
  const close = (actual: unknown, expected: number) => assert.ok(Math.abs((actual as number) - expected) < 1e-9, `${actual} ≠ ${expected}`);
  close(report.summary.mean_percent_not_moved, (100 * 5) / 18);
  close(report.summary.mean_percent_moved_zero_gradient, (100 * 3) / 18);
  const layers = report.tables.find((t) => t.name === 'layers')!;
  const a = layers.rows.find((r) => r[0] === 'a')!;
  assert.deepEqual([a[layers.columns.indexOf('mean_percent_not_moved')], a[layers.columns.indexOf('mean_percent_moved_zero_gradient')]], [25, 25]);

  const svg = await svgFromSpec((await buildFigure('helped', await RunSource.open(run), {})).spec);
  assert.ok(svg.includes('moved, zero gradient') && svg.includes('did not move'), 'the figure draws both kinds of zero');
  assert.ok(svg.includes('>moved, zero gradient</text>'), 'the legend spells the label out');
  assert.deepEqual(svg.match(/…<\/text>/g), null, 'no label of the figure is cut short');
});

test('a run without weights.arrow leaves the split empty instead of guessing', async () => {
  assert.equal(fs.existsSync(path.join(noWeights, 'weights.arrow')), false);
  const report = await runAnalysis({ run: noWeights, report: 'helped' });
  assert.equal(report.summary.mean_percent_not_moved, null);
  const iterations = report.tables.find((t) => t.name === 'iterations')!;
  assert.deepEqual(iterations.rows.map((r) => r[iterations.columns.indexOf('not_moved')]), [null, null, null]);
});
