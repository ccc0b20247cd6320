// `lca analyze` end to end on a generated run (no training): --layers, --merge, and the sync,
// concentration and tails reports through the real binary, with usage errors on exit 2.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lca } from './helpers/cli.js';
import { writeAnalyzeRun } from './helpers/analyze-run.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-analyze-');
const run = path.join(tmp, 'gen');
const variables = [
  { name: 'conv2D_1/kernel', shape: [3, 2] },
  { name: 'conv2D_1/bias', shape: [2] },
  { name: 'batch_norm_1/gamma', shape: [2] },
  { name: 'batch_norm_1/beta', shape: [2] },
  { name: 'fc_last/kernel', shape: [2, 2] },
];
// Every parameter helps −1 at iterations 5, 12 and 20 (dips in every layer) and 0 otherwise, except
// fc_last, which hurts +0.5 per parameter at iteration 25: it ends with total LCA 4·(−3) + 4·0.5 = −10.
const dips = [5, 12, 20];

before(async () => {
  await writeAnalyzeRun(run, variables, 30, (t, out) => {
    out.fill(dips.includes(t) ? -1 : 0);
    if (t === 25) out.fill(0.5, 12, 16);
  }, 16);
});

const json = (args: string[]) => {
  const result = lca(['analyze', '--run', run, '--format', 'json', ...args]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
};

test('layers: --merge decides what a layer is; --layers filters by variable or layer name', () => {
  assert.deepEqual(json(['--report', 'layers']).tables.layers.map((l: { layer: string }) => l.layer), ['conv2D_1', 'batch_norm_1', 'fc_last']);
  const merged = json(['--report', 'layers', '--merge', 'bias+bn']);
  assert.deepEqual(merged.tables.layers.map((l: { layer: string; lca: number; parameters: number }) => [l.layer, l.lca, l.parameters]), [['conv2D_1', -36, 12], ['fc_last', -10, 4]]);
  assert.equal(json(['--report', 'layers', '--merge', 'none']).tables.layers.length, 5);
  const fc = json(['--report', 'layers', '--layers', 'fc_*']);
  assert.equal(fc.total_lca, -10);
  const curve = fc.tables.iterations.filter((r: { iteration: number }) => r.iteration === 25)[0];
  assert.deepEqual(curve, { iteration: 25, layer: 'fc_last', lca: 2, cumulative_lca: -10 });
  const hurtOnly = json(['--report', 'layers', '--iterations', '21:30', '--layers', 'fc_last']);
  assert.deepEqual([hurtOnly.layers_hurt, hurtOnly.tables.layers[0].hurt], [1, 1]);
});

test('helped: per-layer table, iterations-helped histogram and value distribution', () => {
  const r = json(['--report', 'helped', '--merge', 'bias+bn']);
  assert.deepEqual(r.tables.layers.map((l: { layer: string; mean_percent_helped: number }) => [l.layer, l.mean_percent_helped]), [['conv2D_1', 10], ['fc_last', 10]]);
  assert.equal(r.tables.iterations_helped.length, 31, 'T = 30: one bin per k = 0 … 30');
  assert.equal(r.tables.iterations_helped[3].parameters, 16, 'helped in 3 of 30 iterations');
  assert.deepEqual(r.tables.distribution.map((b: { lower: number; count: number }) => [b.lower, b.count]), [[-2, 48], [0.5, 4]]);
});

test('sync, concentration and tails run and report their definitions', () => {
  const sync = json(['--report', 'sync', '--top', '3', '--draws', '200', '--merge', 'bias+bn']);
  assert.deepEqual(sync.tables.synchronized.map((r: { iteration: number }) => r.iteration), dips);
  assert.equal(sync.synchronized, 3);
  assert.ok(sync.p_value > 0 && sync.p_value <= 1);
  const conc = json(['--report', 'concentration']);
  // totals: 12 parameters at −3, 4 (fc_last) at −2.5 → Σ(2i−n−1)x_(i) / (nΣx) = 24 / (16 · 46)
  assert.ok(Math.abs(conc.gini_helped - 24 / (16 * 46)) < 1e-12, String(conc.gini_helped));
  assert.equal(conc.tables.layers.at(-1).layer, 'all');
  const tails = json(['--report', 'tails', '--sample', '100']);
  assert.equal(tails.sample_size, 100);
  assert.deepEqual(tails.tables.tails.map((r: { cutoff: number }) => r.cutoff), [1, 2, 3, 4]);
});

const usage: [string, string[], RegExp][] = [
  ['a glob that matches nothing', ['--report', 'layers', '--layers', 'nope*'], /--layers nope\*: matches no variable or layer \(have: conv2D_1, batch_norm_1, fc_last\)/],
  ['an unknown merge rule', ['--report', 'layers', '--merge', 'all'], /argument 'all' is invalid/],
  ['zero peaks', ['--report', 'sync', '--top', '0'], /must be at least 1/],
];
for (const [what, args, message] of usage) {
  test(`analyze usage error, exit 2: ${what}`, () => {
    const result = lca(['analyze', '--run', run, ...args]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  });
}

test('analyze on a partly computed run says so on stderr and reports the computed rows (issue 10, item 11)', async () => {
  const partial = path.join(tmp, 'partial');
  await writeAnalyzeRun(partial, variables, 30, (_t, out) => out.fill(-0.1), 10);
  fs.rmSync(path.join(partial, 'lca', 'adaptive', 'part-000020-000029.arrow'));
  const result = lca(['analyze', '--run', partial, '--report', 'layers', '--format', 'tsv']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /partial: LCA is computed for iterations 0:20 of 0:30 only; this report covers those/);
  const whole = lca(['analyze', '--run', run, '--report', 'layers', '--format', 'tsv']);
  assert.doesNotMatch(whole.stderr, /computed for iterations/);
});

test('headline numbers reach a pipe: --table summary prints name<TAB>value rows (issue 13 item 2)', () => {
  const headline = (report: string, name: string) => {
    const result = lca(['analyze', '--run', run, '--report', report, '--table', 'summary', '--format', 'tsv']);
    assert.equal(result.code, 0, result.stderr);
    const row = result.stdout.split('\n').find((l) => l.startsWith(`${name}\t`));
    assert.ok(row, `${report}: no ${name} row in\n${result.stdout}`);
    return row.split('\t')[1];
  };
  assert.equal(Number(headline('helped', 'percent_helped')), json(['--report', 'helped']).percent_helped);
  assert.equal(Number(headline('error', 'max_abs_error')), 0);
  assert.ok(Number(headline('sync', 'p_value')) > 0);
  assert.match(lca(['analyze', '--help']).stdout, /--table <name>\s+which table TSV\/CSV print: summary/);
});
