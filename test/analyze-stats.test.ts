// The paper's finer statistics on inputs whose answer is known by construction: globs and layer
// merging, per-layer helping and the two histograms, synchronization, concentration, tails, Weibull.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob, matchGlob } from '../src/util/glob.js';
import { groupNames, selectVariables } from '../src/analyze/groups.js';
import { helpedFold, iterationsHelpedHistogram } from '../src/analyze/helped.js';
import { emptyHistogram, histogramBins } from '../src/analyze/histogram.js';
import { scanHelped } from '../src/analyze/helped.js';
import { layersFold } from '../src/analyze/layers.js';
import { countAligned, synchronization, topMinima } from '../src/analyze/sync.js';
import { concentrationFold, fractionNeeded, gini } from '../src/analyze/concentration.js';
import { fitWeibull } from '../src/analyze/weibull.js';
import { gaussianTailShare, reservoir, secondMomentFold, tailsFold } from '../src/analyze/tails.js';
import { RandomState } from '../src/data/mt19937.js';
import { UsageError } from '../src/errors.js';
import type { LcaRow, VariableInfo } from '../src/analyze/rows.js';

const v = (name: string, size: number): VariableInfo => ({ name, shape: [size], size });
const fc = [v('fc_1/kernel', 4), v('fc_1/bias', 2), v('fc_2/kernel', 2)];
const matrix = [
  [-1, -2, 3, 0, -0.5, 0.5, -4, 0],
  [-1, -1, -1, -1, -1, -1, -1, 1],
  [2, 0, 0, 0, 0, 0, 0, -1],
];

/** Row t of a matrix whose columns are the variables' values laid end to end. */
function rowOf(variables: readonly VariableInfo[], iteration: number, values: ArrayLike<number>): LcaRow {
  const flat = Float32Array.from(values);
  const offsets = variables.map((_, k) => variables.slice(0, k).reduce((n, x) => n + x.size, 0));
  return { iteration, scalar: () => Number.NaN, variable: (k) => flat.subarray(offsets[k], offsets[k] + variables[k].size) };
}

const globCases: [string, string, boolean][] = [
  ['fc_1*', 'fc_1/kernel', true],
  ['fc_1*', 'fc_10/kernel', true],
  ['fc_1', 'fc_1/kernel', false],
  ['fc_?/bias', 'fc_3/bias', true],
  ['fc_?/bias', 'fc_3/kernel', false],
  ['*/kernel', 'block_1A/conv2D_1/kernel', true],
  ['fc_1,fc_3', 'fc_3', true],
  ['fc.1', 'fc_1', false],
  ['a+b', 'a+b', true],
];
for (const [pattern, name, expected] of globCases) {
  test(`glob ${pattern} ${expected ? 'matches' : 'does not match'} ${name}`, () => assert.equal(matchGlob(pattern, name), expected));
}
test('fraction-helped bins follow the iteration grid: no saw-tooth when T = 220 (issue 13 item 5)', () => {
  // Every k = 0 … 220 held by 3 parameters: every bin of whole k values must hold 3·w of them.
  const counts = Uint32Array.from({ length: 3 * 221 }, (_, i) => i % 221);
  const bins = iterationsHelpedHistogram(counts, 220);
  assert.ok(bins.length <= 50);
  const width = bins[0].kTo - bins[0].kFrom + 1;
  for (const b of bins) assert.equal(b.parameters, 3 * (b.kTo - b.kFrom + 1), `bin ${b.kFrom}-${b.kTo}`);
  assert.ok(bins.slice(0, -1).every((b) => b.kTo - b.kFrom + 1 === width), 'all but the last bin hold w values');
  assert.deepEqual([bins[0].from, bins.at(-1)!.to, bins.at(-1)!.kTo], [0, 100, 220]);
  for (let b = 1; b < bins.length; b++) assert.equal(bins[b].from, bins[b - 1].to, 'contiguous');
});

test('glob: an empty alternative is a usage error', () => assert.throws(() => compileGlob('fc_1,'), UsageError));

const resnetish = [v('conv2D_1/kernel', 9), v('conv2D_1/bias', 1), v('batch_norm_1/gamma', 1), v('batch_norm_1/beta', 1),
  v('block_1A/conv2D_1/kernel', 9), v('block_1A/batch_norm_1/gamma', 1), v('fc_last/kernel', 4)];

test('merge rules: none, bias, bias+bn (batch norm joins the conv before it)', () => {
  assert.deepEqual(groupNames(resnetish, 'none'), resnetish.map((x) => x.name));
  assert.deepEqual([...new Set(groupNames(resnetish, 'bias'))], ['conv2D_1', 'batch_norm_1', 'block_1A/conv2D_1', 'block_1A/batch_norm_1', 'fc_last']);
  assert.deepEqual(groupNames(resnetish, 'bias+bn'), ['conv2D_1', 'conv2D_1', 'conv2D_1', 'conv2D_1', 'block_1A/conv2D_1', 'block_1A/conv2D_1', 'fc_last']);
  const merged = selectVariables(resnetish, 'bias+bn');
  assert.deepEqual(merged.groups.map((g) => [g.name, g.members, g.parameters]), [['conv2D_1', [0, 1, 2, 3], 12], ['block_1A/conv2D_1', [4, 5], 10], ['fc_last', [6], 4]]);
});

test('--layers keeps variables by their own or their layer name; no match is a usage error', () => {
  const s = selectVariables(resnetish, 'bias+bn', 'block_1A*,fc_last');
  assert.deepEqual(s.source, [4, 5, 6]);
  assert.deepEqual(s.groups.map((g) => [g.name, g.members]), [['block_1A/conv2D_1', [0, 1]], ['fc_last', [2]]]);
  assert.deepEqual(selectVariables(resnetish, 'bias+bn', 'conv2D_1').source, [0, 1, 2, 3], 'BN comes with its conv');
  assert.throws(() => selectVariables(resnetish, 'bias', 'nope*'), /matches no variable or layer/);
});

test('helped per layer (Fig. 3c) and iterations helped per parameter (Fig. 3d)', () => {
  const fold = helpedFold(selectVariables(fc, 'bias'));
  matrix.forEach((values, t) => fold.add(rowOf(fc, t, values)));
  const r = fold.result();
  assert.deepEqual(r.layers.map((l) => [l.name, l.helped, l.hurt, l.zero]), [['fc_1', 9, 3, 6], ['fc_2', 3, 1, 2]]);
  assert.deepEqual([...r.iterationsHelped], [2, 2, 1, 1, 2, 1, 2, 1]);
  const bins = iterationsHelpedHistogram(r.iterationsHelped, 3);
  assert.deepEqual(bins.map((b) => [b.kFrom, b.kTo, b.parameters]), [[0, 0, 0], [1, 1, 4], [2, 2, 4], [3, 3, 0]], 'T = 3: one bin per k');
  assert.deepEqual(bins.map((b) => [b.from, b.to]), [[0, 25], [25, 50], [50, 75], [75, 100]]);
  assert.deepEqual(iterationsHelpedHistogram(Uint32Array.from([3, 0]), 3).map((b) => b.parameters), [1, 0, 0, 1], '0% and 100% land in the end bins');

  const filtered = helpedFold(selectVariables(fc, 'bias', 'fc_2*'));
  matrix.forEach((values, t) => filtered.add(rowOf(fc.slice(2), t, values.slice(6))));
  assert.equal(filtered.result().parameters, 2);
});

test('value histogram: power-of-two bins on each side of zero, zeros left out (Fig. 3b)', () => {
  const h = emptyHistogram();
  const values = Float32Array.from([-3, -1, -0.5, 0, -0, 0.75, 2, 2.5, 1e-40]);
  const counts = scanHelped(values, new Uint32Array(values.length), 0, h);
  assert.deepEqual(counts, { negative: 3, positive: 4 });
  const bins = histogramBins(h).map((b) => [b.lower, b.upper, b.count, b.lca]);
  assert.deepEqual(bins.slice(0, 3), [[-4, -2, 1, -3], [-2, -1, 1, -1], [-1, -0.5, 1, -0.5]]);
  assert.deepEqual(bins[3].slice(0, 3), [0, 2 ** -126, 1]);
  assert.deepEqual(bins.slice(4), [[0.5, 1, 1, 0.75], [2, 4, 2, 4.5]]);
});

test('layers: per-iteration curves and the layer that hurt', () => {
  const fold = layersFold(selectVariables(fc, 'none'));
  matrix.forEach((values, t) => fold.add(rowOf(fc, t, values)));
  const r = fold.result();
  assert.deepEqual(r.layers.map((l) => l.name), ['fc_1/kernel', 'fc_1/bias', 'fc_2/kernel']);
  assert.deepEqual(r.series.map((s) => [...s]), [[0, -4, 2], [0, -2, 0], [-4, 0, -1]]);
  assert.deepEqual(r.iterations, [0, 1, 2]);
});

test('local minima: strict, never at the ends, most negative first, ties to the earlier iteration', () => {
  const x = Float64Array.from([-9, -1, -3, -1, -3, -1, -2, -1, -10]);
  assert.deepEqual(topMinima(x, 5), [2, 4, 6]);
  assert.deepEqual(topMinima(x, 1), [2]);
  assert.deepEqual(topMinima(Float64Array.from([-1, -2, -2, -1]), 5), [], 'a flat bottom is no strict minimum');
  assert.equal(countAligned([[3, 8], [4, 8]], [0, -1], 10), 1 + 0);
});

test('sync: three layers with common dips; the shift baseline matches its exact expectation', () => {
  // Every layer dips at 5, 12, 20 (deepest) and once on its own; peaks are ≥ 7 apart, so a shifted
  // draw aligns all three dips exactly when the three shifts are equal: P = 5/125, count 3.
  const own = [15, 25, 28];
  const series = own.map((o) => Float64Array.from({ length: 30 }, (_, t) => ([5, 12, 20].includes(t) ? -2 : t === o ? -1 : 0)));
  const r = synchronization(series, { top: 4, draws: 4000, maxShift: 2, seed: 3 });
  assert.deepEqual(r.synchronized, [5, 12, 20]);
  assert.equal(r.peaks.length, 12);
  assert.ok(Math.abs(r.baselineMean - 3 / 25) < 0.03, `baseline mean ${r.baselineMean}`);
  assert.ok(Math.abs(r.pValue - 1 / 25) < 0.01, `p ${r.pValue}`);
  assert.deepEqual(synchronization(series, { top: 4, draws: 4000, maxShift: 2, seed: 3 }), r, 'seeded: the same answer twice');
  assert.equal(synchronization(series, { top: 4, draws: 0, maxShift: 2, seed: 3 }).pValue, 1);
});

test('concentration: Gini and the fraction of helpers giving 90% of the help', () => {
  assert.equal(gini(Float64Array.from([0, 0, 0, 1])), 0.75);
  assert.equal(gini(Float64Array.from([2, 2, 2])), 0);
  assert.ok(Math.abs(gini(Float64Array.from([1, 2, 3, 4])) - 0.25) < 1e-15);
  assert.equal(fractionNeeded(Float64Array.from([5, 1, 3, 1, 0]), 0.9), 3 / 4);
  const fold = concentrationFold(selectVariables(fc, 'bias'));
  matrix.forEach((values, t) => fold.add(rowOf(fc, t, values)));
  const r = fold.result();
  // totals: [0, −3, 2, −1, −1.5, −0.5 | −5, 0]
  const [fc1, fc2] = r.layers;
  assert.deepEqual([fc1.helping, fc1.hurting, fc2.helping, fc2.hurting], [4, 1, 1, 0]);
  assert.ok(Math.abs(fc1.gini_hurt - 5 / 6) < 1e-15);
  assert.equal(fc1.fraction_for_share, 3 / 4); // 3 + 1.5 + 1 = 5.5 ≥ 0.9 · 6
  assert.ok(Number.isNaN(fc2.gini_hurt), 'no hurt at all: undefined, not 0');
  assert.equal(r.overall.helping, 5);
});

test('Weibull MLE recovers the shape and scale of samples drawn from a known Weibull', () => {
  const random = new RandomState(7);
  for (const [shape, scale] of [[0.5, 3e-8], [2, 4]]) {
    const y = Float64Array.from({ length: 20000 }, () => scale * (-Math.log(1 - random.randomDouble())) ** (1 / shape));
    const fit = fitWeibull(y);
    assert.ok(Math.abs(fit.shape / shape - 1) < 0.03, `shape ${fit.shape} vs ${shape}`);
    assert.ok(Math.abs(fit.scale / scale - 1) < 0.05, `scale ${fit.scale} vs ${scale}`);
    assert.ok(fit.iterations < 20);
  }
});

test('reservoir: uniform over the stream; everything when the stream is shorter', () => {
  const r = reservoir(2000, 1);
  const N = 200_000;
  for (let start = 0; start < N; start += 777) r.add(Float32Array.from({ length: Math.min(777, N - start) }, (_, i) => start + i));
  const sample = r.values();
  assert.equal(sample.length, 2000);
  const mean = sample.reduce((a, b) => a + b, 0) / sample.length;
  assert.ok(Math.abs(mean / (N / 2) - 1) < 0.05, `mean ${mean}`);
  const short = reservoir(10, 1);
  short.add(Float32Array.from([1, 2, 3]));
  assert.deepEqual([...short.values()], [1, 2, 3]);
});

test('tails: Gaussian LCA values give the Gaussian share at each cutoff', () => {
  const random = new RandomState(11);
  const gauss = [v('w', 200_000)];
  const values = Float32Array.from({ length: 200_000 }, () => 1e-6 * random.standardNormal());
  const selection = selectVariables(gauss, 'bias');
  const moments = secondMomentFold(selection);
  moments.add(rowOf(gauss, 0, values));
  const { sigma, nonzero } = moments.result();
  assert.ok(Math.abs(sigma / 1e-6 - 1) < 0.01);
  const fold = tailsFold(selection, sigma, nonzero, { sampleSize: 1000, seed: 0 });
  fold.add(rowOf(gauss, 0, values));
  const r = fold.result();
  assert.equal(gaussianTailShare(2), Math.exp(-2));
  // Beyond 4σ only ~13 of 200,000 Gaussian values remain: too few to test; 1–3σ are tight.
  for (const t of r.tails.slice(0, 3)) assert.ok(Math.abs(t.ratio - 1) < (t.cutoff < 3 ? 0.03 : 0.1), `ratio ${t.ratio} at ${t.cutoff}σ`);
  assert.deepEqual(r.tails.map((t) => t.cutoff), [1, 2, 3, 4]);
  assert.equal(r.sampleSize, 1000);
});
