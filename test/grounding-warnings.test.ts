// Bad grounding is flagged everywhere (issue 13 item 3): every analyze report, figure title and the
// HTML report warn, across runs naming each run that misses, with the numbers, when the cumulative relative error passes 1 % or rows pass the tolerance.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { groundingWarning } from '../src/analyze/grounding-check.js';
import { REPORTS } from '../src/analyze/report-names.js';
import { runAcrossRuns } from '../src/jobs/analyze-across.js';
import { runAnalysis } from '../src/jobs/analyze.js';
import { buildFigure, FIGURES } from '../src/plot/figures.js';
import { layersRunsFigure } from '../src/plot/layers-runs.js';
import { svgFromSpec } from '../src/plot/render.js';
import { RunSource } from '../src/jobs/run-source.js';
import { writeHtmlReport } from '../src/jobs/html-report.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { render } from '../src/report/format.js';
import { lca } from './helpers/cli.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-grounding-warn-');
const [bad, good] = [path.join(tmp, 'bad'), path.join(tmp, 'good')];
const variables = [{ name: 'fc_1/kernel', shape: [3, 2] }, { name: 'fc_1/bias', shape: [2] }, { name: 'fc_2/kernel', shape: [2, 2] }];
const rows = (t: number, out: Float32Array) => { for (let i = 0; i < out.length; i++) out[i] = (i % 3 === 0 ? 1e-3 : -2e-3) * (1 + (t % 4)); };
const WARNING = /^poorly grounded LCA: cumulative relative error [\d.]+ % \(the bar is 1 %\), 10 of 10 rows above the tolerance 0\.001 \(max \|error\| 0\.005\)/;

before(async () => {
  await writeAnalyzeRun(bad, variables, 10, rows, 4, () => 0.005); // every row 5e-3 off: 5× the tolerance
  await writeAnalyzeRun(good, variables, 10, rows, 4);
});

test('groundingWarning: the cumulative error and the rows above the tolerance, each enough on its own', () => {
  const base = { iterations: 10, tolerance: 1e-3, max_abs_error: 1e-4, cumulative_relative_error: 0.001, iterations_above_tolerance: 0 };
  assert.equal(groundingWarning(base), null);
  assert.match(groundingWarning({ ...base, cumulative_relative_error: 0.28 })!, /cumulative relative error 28 % \(the bar is 1 %\), 0 of 10 rows/);
  assert.match(groundingWarning({ ...base, iterations_above_tolerance: 2, max_abs_error: 0.0031 })!, /2 of 10 rows above the tolerance 0\.001 \(max \|error\| 0\.0031\)/);
  assert.equal(groundingWarning({ ...base, cumulative_relative_error: Number.NaN }), null, 'no loss change and no bad row: nothing to say');
});

test('every analyze report on a poorly grounded run carries the warning; a grounded run none', async () => {
  // oscillations reads weights.arrow, which a generated run lacks; overfitting and freeze need --val and a freeze config
  for (const report of REPORTS.filter((r) => !['oscillations', 'overfitting', 'freeze'].includes(r))) {
    const flagged = await runAnalysis({ run: bad, report });
    assert.equal(flagged.warnings?.length, 1, report);
    assert.match(flagged.warnings![0], WARNING, report);
    assert.equal((await runAnalysis({ run: good, report })).warnings, undefined, report);
  }
});

test('lca analyze: the warning on stderr, stdout TSV stays data, the summary and JSON carry it', async () => {
  const tsv = lca(['analyze', '--run', bad, '--report', 'layers', '--format', 'tsv']);
  assert.equal(tsv.code, 0, tsv.stderr);
  const logged = tsv.stderr.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(logged.map((l) => l.level), [40]);
  assert.match(logged[0].msg, WARNING);
  assert.equal(tsv.stdout.split('\n')[0], 'layer\tlca\tshare\tparameters\thurt');
  assert.match(lca(['analyze', '--run', bad, '--report', 'helped', '--table', 'summary']).stdout, /^warning\tpoorly grounded LCA: /m);
  assert.match(JSON.parse(render(await runAnalysis({ run: bad, report: 'sync' }), 'json')).warnings[0], WARNING);
  assert.equal(lca(['analyze', '--run', good, '--report', 'layers', '--format', 'tsv']).stderr, '');
});

test('every figure\'s title and the HTML report (title and banner) carry the warning', async () => {
  const source = await RunSource.open(bad);
  for (const name of FIGURES.filter((f) => f !== 'overfitting')) { // overfitting needs the validation LCA
    const svg = await svgFromSpec((await buildFigure(name, source, {})).spec);
    assert.ok(svg.includes('WARNING: poorly grounded LCA: cumulative relative error'), name);
  }
  const out = path.join(tmp, 'report.html');
  const warned: string[] = [];
  await writeHtmlReport({ run: bad, out, reporter: { ...silentReporter, warn: (message) => warned.push(message) } });
  assert.match(warned.join('\n'), WARNING);
  const html = fs.readFileSync(out, 'utf8');
  assert.match(html, /<title>LCA report — bad \(POORLY GROUNDED\)<\/title>/);
  assert.match(html, /<p class="warning"><strong>WARNING:<\/strong> poorly grounded LCA: cumulative relative error/);
});

test('across runs (analyze and Fig. 4): each poorly grounded run is named, in the report, on stderr and in the title', async () => {
  for (const report of ['helped', 'layers'] as const) {
    const mixed = await runAcrossRuns({ report, runs: [good, bad], vs: [] });
    assert.equal(mixed.warnings?.length, 1, report);
    assert.ok(mixed.warnings![0].startsWith(`run ${bad}: poorly grounded LCA: `), mixed.warnings![0]);
    assert.match(mixed.warnings![0].slice(`run ${bad}: `.length), WARNING);
    assert.equal((await runAcrossRuns({ report, runs: [good], vs: [good] })).warnings, undefined, report);
  }
  const compared = await runAcrossRuns({ report: 'layers', runs: [good], vs: [bad, bad] });
  assert.equal(compared.warnings?.length, 2, 'a --vs run is checked too, once per listing');
  const svg = await svgFromSpec(layersRunsFigure(compared).spec);
  assert.ok(svg.includes(`WARNING: run ${bad}: poorly grounded LCA`), 'Fig. 4 across runs carries it in its title');
  const cli = lca(['analyze', '--run', good, '--run', bad, '--report', 'layers', '--format', 'tsv']);
  assert.equal(cli.code, 0, cli.stderr);
  const logged = cli.stderr.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(logged.map((l) => l.level), [40]);
  assert.ok(logged[0].msg.startsWith(`run ${bad}: poorly grounded LCA`), logged[0].msg);
  const plotted = lca(['plot', '--run', good, '--run', bad, '--figure', 'layers', '--out', path.join(tmp, 'runs.svg')]);
  assert.equal(plotted.code, 0, plotted.stderr);
  assert.match(plotted.stderr, /run [^ ]*bad: poorly grounded LCA/);
});
