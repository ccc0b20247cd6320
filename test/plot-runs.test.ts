// `lca plot --figure layers` across runs: mean ± std bars, every run as a dot, and with --vs two groups
// side by side with Welch's p-value per layer — the numbers of runAcrossRuns, drawn, not recomputed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runAcrossRuns } from '../src/jobs/analyze-across.js';
import { num } from '../src/plot/figure.js';
import { layersRunsFigure } from '../src/plot/layers-runs.js';
import { svgFromSpec } from '../src/plot/render.js';
import { tableRows } from '../src/plot/source.js';
import { lca } from './helpers/cli.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-plot-runs-');
const variables = [{ name: 'fc_1/kernel', shape: [4, 3] }, { name: 'fc_1/bias', shape: [3] }, { name: 'fc_2/kernel', shape: [3, 2] }];
const normal = ['n1', 'n2', 'n3'].map((n) => path.join(tmp, n));
const frozen = ['f1', 'f2'].map((n) => path.join(tmp, n));

before(async () => {
  // Per run a slightly different scale; the "frozen" group's fc_2 never moves (LCA exactly 0).
  for (const [k, run] of [...normal, ...frozen].entries()) {
    const isFrozen = k >= normal.length;
    await writeAnalyzeRun(run, variables, 12, (t, out) => {
      for (let i = 0; i < out.length; i++) out[i] = isFrozen && i >= 15 ? 0 : -1e-3 * (1 + 0.1 * k) * Math.cos(0.3 * i + t);
    });
  }
});

test('one group: bars, ±1 std error bars, a dot per run and the one-sample p-value per layer', async () => {
  const report = await runAcrossRuns({ report: 'layers', runs: normal, vs: [] });
  const svg = await svgFromSpec(layersRunsFigure(report).spec);
  assert.ok(svg.includes('Fig. 4') && svg.includes('across runs'));
  assert.ok(svg.includes('runs n1, n2, n3'), 'names the runs');
  assert.ok(svg.includes('mark-rect') && svg.includes('mark-rule') && svg.includes('mark-symbol'), 'bars, error bars, dots');
  for (const row of tableRows(report, 'layers')) assert.ok(svg.includes(`p = ${num(row.p_value)}`), `p-value of ${row.layer} from the report`);
  assert.equal((svg.match(/<path[^>]*aria-roledescription="point"/g) ?? []).length, 2 * 3, 'a dot per layer and run');
});

test('--vs: the two groups side by side with the report\'s Welch p-value per layer', async () => {
  const report = await runAcrossRuns({ report: 'layers', runs: normal, vs: frozen });
  const svg = await svgFromSpec(layersRunsFigure(report).spec);
  assert.ok(svg.includes('--run (n = 3)') && svg.includes('--vs (n = 2)'), 'legend names both groups');
  assert.ok(svg.includes('vs f1, f2'));
  assert.ok(svg.includes('Welch'));
  for (const row of tableRows(report, 'layers')) assert.ok(svg.includes(`p = ${num(row.welch_p_value)}`), `Welch p of ${row.layer}`);
  assert.equal((svg.match(/aria-roledescription="bar"/g) ?? []).length, 2 * 2, 'a bar per layer and group');
});

test('lca plot: several --run or --vs draw layers, and any other figure across runs is a usage error', () => {
  const out = path.join(tmp, 'layers-vs.png');
  const ok = lca(['plot', '--run', normal[0], '--run', normal[1], '--vs', frozen[0], '--vs', frozen[1], '--figure', 'layers', '--out', out]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(fs.statSync(out).size > 1000);
  const bad = lca(['plot', '--run', normal[0], '--run', normal[1], '--figure', 'helped', '--out', out, '--force']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--figure layers only/);
});
