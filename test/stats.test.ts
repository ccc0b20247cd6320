// Student's t CDF (via the regularized incomplete beta) and the t-tests over runs, against values
// from scipy.stats 1.17 and closed forms (df = 1 is Cauchy; df = 2 has P = 1 − |t|/√(t² + 2)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incompleteBeta, logGamma, mean, oneSampleT, sampleStd, studentTwoSidedP, welchT } from '../src/analyze/stats.js';

const close = (actual: number, expected: number, relative = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${actual} vs ${expected}`);

// [t, df, two-sided p] — scipy: 2 * stats.t.sf(abs(t), df)
const cases: [number, number, number][] = [
  [2, 5, 0.10193947882985835],
  [3, 10, 0.01334365502256957],
  [0.5, 2.5, 0.6576979198697148],
  [10, 3, 0.0021283990584141503],
  [-4, 7.3, 0.004762367164327108],
  [40, 20, 1.457469655431075e-20],
];
for (const [t, df, p] of cases) test(`Student t: t=${t}, df=${df} → p=${p}`, () => close(studentTwoSidedP(t, df), p));

test('Student t, df = 1 is Cauchy: p = 1 − 2·atan(|t|)/π', () => {
  for (const t of [0.1, 1, 1.5, 7, 300]) close(studentTwoSidedP(t, 1), 1 - (2 * Math.atan(t)) / Math.PI);
});
test('Student t, df = 2: p = 1 − |t|/√(t² + 2); t = 0 gives 1; |t| = ∞ gives 0', () => {
  for (const t of [0.3, 2, 25]) close(studentTwoSidedP(t, 2), 1 - t / Math.sqrt(t * t + 2));
  assert.equal(studentTwoSidedP(0, 4), 1);
  assert.equal(studentTwoSidedP(-Infinity, 4), 0);
  assert.ok(Number.isNaN(studentTwoSidedP(1, 0)));
});
test('incomplete beta: I_x(1, 1) = x, I_x(a, b) = 1 − I_{1−x}(b, a), log Γ(n) = log (n−1)!', () => {
  close(incompleteBeta(1, 1, 0.3), 0.3);
  close(incompleteBeta(2.5, 0.5, 0.8), 1 - incompleteBeta(0.5, 2.5, 0.2));
  close(incompleteBeta(2, 3, 0.4), 0.5248); // 1 − Σ_{j<2} C(4,j) .4^j .6^(4−j)
  close(logGamma(6), Math.log(120), 1e-13);
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-13);
});

test('mean and sample std (n − 1); NaN below two values', () => {
  assert.equal(mean([1, 2, 4]), 7 / 3);
  close(sampleStd([1, 2, 4]), Math.sqrt(7 / 3));
  assert.ok(Number.isNaN(sampleStd([5])));
});

test('one-sample t-test matches scipy.stats.ttest_1samp([1, 2, 4], 0)', () => {
  const r = oneSampleT([1, 2, 4]);
  close(r.t, 2.645751311064591);
  assert.equal(r.df, 2);
  close(r.p, 0.11808289631180308);
  assert.deepEqual(oneSampleT([3, 3, 3]), { t: Infinity, df: 2, p: 0 }, 'no spread, non-zero mean: certain');
});

test("Welch's t-test matches scipy.stats.ttest_ind([1, 2, 4], [3, 5, 9, 11], equal_var=False)", () => {
  const r = welchT([1, 2, 4], [3, 5, 9, 11]);
  close(r.t, -2.301585822275002);
  close(r.df, 4.2187981510015415);
  close(r.p, 0.07937015050896559);
});
