// `lca report`: one self-contained HTML file — every figure, the manifest and the analysis tables,
// and nothing that loads over the network; in headless chromium (when installed) no console errors.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { lca, PROJECT_ROOT } from './helpers/cli.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';
import { readManifest } from '../src/store/manifest.js';
import { createWeightsWriter } from '../src/store/weights.js';

const tmp = tempDir('lca-report-');
const run = path.join(tmp, 'gen');
const out = path.join(tmp, 'report.html');
let html = '';

before(async () => {
  await writeAnalyzeRun(run, [{ name: 'fc_1/kernel', shape: [8, 4] }, { name: 'fc_1/bias', shape: [4] }, { name: 'fc_2/kernel', shape: [4, 3] }], 30, (t, row) => {
    for (let i = 0; i < row.length; i++) row[i] = i % 4 === 0 ? 0 : Math.cos(1.3 * i + 0.4 * t) * 1e-3 - (t % 6 === 2 ? 1e-3 : 0);
  }, 10);
  // Weights for the oscillations table: every parameter moves, some of them back and forth.
  const writer = createWeightsWriter(run, readManifest(run).model.variables);
  for (let t = 0; t <= 30; t++) await writer.append({ iteration: t, minibatch_loss: 1 }, Float32Array.from({ length: 48 }, (_, i) => Math.sin(0.9 * t + i)));
  await writer.close();
  const result = lca(['report', '--run', run, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  html = fs.readFileSync(out, 'utf8');
});

test('report.html holds the manifest, every figure and every analysis table', () => {
  assert.match(html, /^<!doctype html>/);
  for (const title of ['Fig. 2', 'Fig. 3a', 'Fig. 3b', 'Fig. 3c', 'Fig. 3d', 'Fig. 4', 'Fig. 6', 'Grounding', 'Per-layer LCA']) assert.ok(html.includes(title), title);
  assert.ok(html.includes('generated (4 parameters)') || html.includes('generated ('), 'manifest summary');
  for (const report of ['helped', 'layers', 'error', 'sync', 'concentration', 'tails', 'oscillations', 'neurons']) assert.ok(html.includes(`id="table-${report}"`), report);
  assert.match(html, /<summary>top \(\d+ rows\)<\/summary>/, 'the neurons tables');
  assert.match(html, /<summary>layers \(2 rows\)<\/summary><table><thead><tr><th>layer<\/th><th>parameters<\/th>[^]*?weight_changes/, 'the oscillations tables');
  assert.ok(html.includes('at iteration 20'), 'a single-iteration frame, as Fig. 2');
  assert.equal((html.match(/<figure>/g) ?? []).length, 2 + 1 + 8, 'a heatmap per layer, one frame, eight other figures');
  assert.ok(html.includes('data-figure='), 'vega specs for the live views');
});

test('report.html loads nothing over the network', () => {
  const remote = [...html.matchAll(/\b(?:src|href|xlink:href|action)\s*=\s*["']?\s*((?:https?:)?\/\/[^"' >]*)/gi)].map((m) => m[1]);
  assert.deepEqual(remote, []);
  assert.doesNotMatch(html, /<link[^>]+rel=["']?stylesheet/i);
  assert.doesNotMatch(html, /@import/);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1].length);
  assert.ok(Math.max(...scripts) > 400_000, 'the vega runtime (vega.min.js, ~520 KB) is inlined');
});

test('lca report refuses an output that is not .html, and an existing one without --force', () => {
  const bad = lca(['report', '--run', run, '--out', path.join(tmp, 'r.pdf')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /must end in \.html/);
  const again = lca(['report', '--run', run, '--out', out]);
  assert.deepEqual([again.code, again.stderr], [1, `lca: ${out} already exists; pass --force to replace it\n`]);
  assert.equal(fs.readFileSync(out, 'utf8'), html);
});

test('headless chromium renders report.html without console errors', (t) => {
  const check = spawnSync('bash', [path.join(PROJECT_ROOT, 'scripts/check-report.sh'), out], { encoding: 'utf8' });
  if (check.status === 3) {
    t.skip('chromium is not installed: scripts/check-report.sh checked nothing');
    return;
  }
  assert.equal(check.status, 0, check.stderr + check.stdout);
  assert.match(check.stdout, /no console errors/);
});
