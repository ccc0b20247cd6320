// Statistics across runs through the real binary: `--run` repeated (mean ± sample std, one-sample
// t-tests per layer) and `--vs` (Welch per layer and for the final loss), on generated runs whose
// totals are known: run i's fc_1 parameters all have LCA −s_i per iteration, fc_2's +1.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { lca } from './helpers/cli.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-runs-');
const variables = [{ name: 'fc_1/kernel', shape: [2, 2] }, { name: 'fc_1/bias', shape: [2] }, { name: 'fc_2/kernel', shape: [2, 1] }];
const group = [1, 2, 4];
const vsGroup = [3, 5, 9, 11];
const dirOf = (name: string) => path.join(tmp, name);
const runs = group.map((_, i) => dirOf(`a${i}`));
const vs = vsGroup.map((_, i) => dirOf(`b${i}`));

before(async () => {
  // 4 iterations: fc_1 total = 4 · 6 · (−s) = −24 s, fc_2 total = 4 · 2 · 1 = 8; final loss = 1 + row sum = 3 − 6 s.
  const write = (dir: string, s: number) => writeAnalyzeRun(dir, variables, 4, (_, out) => out.fill(-s, 0, 6).fill(1, 6));
  await Promise.all([...runs.map((d, i) => write(d, group[i])), ...vs.map((d, i) => write(d, vsGroup[i]))]);
  await writeAnalyzeRun(dirOf('other'), [...variables.slice(0, 2), { name: 'fc_2/kernel', shape: [2, 2] }], 4, (_, out) => out.fill(0));
});

const analyze = (args: string[]) => lca(['analyze', ...args, '--format', 'json']);
const withRuns = (dirs: string[], flag = '--run') => dirs.flatMap((d) => [flag, d]);
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.abs(expected), `${actual} vs ${expected}`);

test('layers across three runs: mean, sample std, n, per-run values and a one-sample t-test per layer', () => {
  const result = analyze(['--report', 'layers', ...withRuns(runs)]);
  assert.equal(result.code, 0, result.stderr);
  const r = JSON.parse(result.stdout);
  assert.equal(r.report, 'layers-runs');
  assert.equal(r.runs, 3);
  assert.equal(r.run, runs.join(", "));
  const [fc1, fc2] = r.tables.layers;
  assert.deepEqual([fc1.layer, fc1.n, fc1.run_1, fc1.run_2, fc1.run_3, fc1.df], ['fc_1', 3, -24, -48, -96, 2]);
  assert.equal(fc1.mean, -56);
  close(fc1.std, 24 * Math.sqrt(7 / 3));
  close(fc1.p_value, 0.11808289631180308); // scipy ttest_1samp([1, 2, 4], 0): t is scale-free
  assert.deepEqual([fc2.mean, fc2.std, fc2.t, fc2.p_value], [8, 0, null, 0], 'the same +8 every run: certain, t infinite');
  const loss = r.tables.loss.find((x: { statistic: string }) => x.statistic === 'final_loss');
  assert.deepEqual([loss.run_1, loss.run_2, loss.run_3], [-3, -9, -21]);
  assert.equal(r.final_loss_mean, -11);
  assert.deepEqual(r.tables.runs, runs.map((run, i) => ({ column: `run_${i + 1}`, run })));
});

test('layers --vs: Welch per layer and for the final loss', () => {
  const r = JSON.parse(analyze(['--report', 'layers', ...withRuns(runs), ...withRuns(vs, '--vs')]).stdout);
  const fc1 = r.tables.layers[0];
  assert.equal(fc1.vs_n, 4);
  assert.equal(fc1.vs_4, -264);
  close(fc1.welch_t, 2.301585822275002); // scipy ttest_ind([1,2,4], [3,5,9,11], equal_var=False), negated: −24 s
  close(fc1.welch_df, 4.2187981510015415);
  close(fc1.welch_p_value, 0.07937015050896559);
  close(r.final_loss_welch_p_value, 0.07937015050896559);
});

test('helped across runs: the summary numbers with mean ± std; a single --run keeps its own report', () => {
  const r = JSON.parse(analyze(['--report', 'helped', ...withRuns(runs)]).stdout);
  assert.equal(r.report, 'helped-runs');
  const percent = r.tables.statistics.find((x: { statistic: string }) => x.statistic === 'percent_helped');
  assert.deepEqual([percent.mean, percent.std, percent.n, percent.run_3], [75, 0, 3, 75]);
  assert.equal(r.percent_helped_mean, 75);
  assert.equal(JSON.parse(analyze(['--report', 'helped', '--run', runs[0]]).stdout).report, 'helped');
});

test('runs with different variables are an error naming the run; other reports refuse several runs', () => {
  const mismatch = lca(['analyze', '--report', 'layers', ...withRuns([runs[0], dirOf('other')])]);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stderr, new RegExp(`${dirOf('other')}: variables differ from ${runs[0]} \\(variable 3 is fc_2/kernel\\[2,2\\], not fc_2/kernel\\[2,1\\]\\)`));
  const sync = lca(['analyze', '--report', 'sync', ...withRuns(runs)]);
  assert.equal(sync.code, 2, sync.stderr);
  assert.match(sync.stderr, /--report sync: statistics across runs .* exist for helped and layers only/);
});
