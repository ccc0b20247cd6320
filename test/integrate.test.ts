// The integrator on functions whose path integrals are known in closed form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimpsonAccumulator, simpsonWeights } from '../src/lca/simpson.js';
import { integrateSegment, type Evaluation, type GradientOracle, type Method } from '../src/lca/integrate.js';

/** A separable test loss L(θ) = Σ_i f(θ_i) with derivative df, as the integrator sees it. */
function problem(f: (x: number) => number, df: (x: number) => number) {
  const evaluate = (theta: Float32Array): Evaluation => ({
    losses: [Array.from(theta).reduce((acc, x) => acc + f(x), 0)],
    gradients: [Float64Array.from(theta, df)],
  });
  let calls = 0;
  const oracle: GradientOracle = (theta) => {
    calls++;
    return evaluate(theta).gradients;
  };
  const run = async (start: number[], end: number[], method: Method, tolerance = 1e-3, maxSplits = 32) => {
    const a = Float32Array.from(start);
    const b = Float32Array.from(end);
    calls = 0;
    const result = await integrateSegment(a, b, evaluate(a), evaluate(b), oracle, { method, tolerance, maxSplits });
    return { ...result, calls };
  };
  return { run };
}

test('composite Simpson weights sum to 6, 12, 24, 48, 96 for n = 2 … 32 (spec §11 table)', () => {
  assert.deepEqual([2, 4, 8, 16, 32].map((n) => simpsonWeights(n).reduce((a, b) => a + b)), [6, 12, 24, 48, 96]);
  assert.deepEqual(Array.from(simpsonWeights(4)), [1, 4, 2, 4, 1]);
  assert.throws(() => simpsonWeights(3), RangeError);
});

test('the running sums reproduce the explicit composite weights after each doubling', () => {
  const g = (s: number) => [Math.sin(3 * s), s * s * s - s];
  const acc = new SimpsonAccumulator(2);
  acc.start(g(0), g(0.5), g(1));
  for (const n of [4, 8, 16]) {
    const points = acc.nextPoints();
    acc.beginRefinement();
    for (const s of points) acc.addMidpoint(g(s));
    const w = simpsonWeights(n);
    const expected = [0, 1].map((i) => w.reduce((sum, wj, j) => sum + wj * g(j / n)[i], 0) / (3 * n));
    const actual = acc.average();
    expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < 1e-14, `n=${n}: ${actual[i]} vs ${e}`));
  }
});

test('Simpson is exact when the gradient is cubic along the path (quartic loss)', async () => {
  const { run } = problem((x) => x ** 4 / 4 - 2 * x, (x) => x ** 3 - 2);
  const r = await run([1, -2, 3, 0.5], [2, 0, -1, 4.5], 'simpson');
  const exactDelta = [[1, 2], [-2, 0], [3, -1], [0.5, 4.5]].reduce((acc, [a, b]) => acc + (b ** 4 / 4 - 2 * b) - (a ** 4 / 4 - 2 * a), 0);
  assert.equal(r.splits, 2);
  assert.equal(r.calls, 1, 'one new gradient (the midpoint) per iteration; the ends are given');
  assert.ok(Math.abs(r.sums[0] - exactDelta) < 1e-12, `Σ LCA ${r.sums[0]} vs ΔL ${exactDelta}`);
  assert.ok(Math.abs(r.errors[0]) < 1e-12);
  // Per parameter: ḡ_i·Δ_i equals f(b_i) − f(a_i).
  assert.ok(Math.abs(r.lca[0][0] - (2 ** 4 / 4 - 4 - (1 / 4 - 2))) < 1e-12);
});

test('first-order error is ½ΔᵀHΔ on a quadratic, so it shrinks as the square of the step', async () => {
  const c = 3;
  const { run } = problem((x) => (c / 2) * x * x, (x) => c * x);
  const errors = await Promise.all([1, 0.5, 0.25].map(async (h) => (await run([1, -1], [1 + h, -1 - 2 * h], 'first-order')).errors[0]));
  errors.forEach((e, k) => {
    const h = [1, 0.5, 0.25][k];
    assert.ok(Math.abs(e - (c / 2) * (h * h + 4 * h * h)) < 1e-12, `h=${h}: error ${e}`);
  });
  assert.ok(Math.abs(errors[0] / errors[1] - 4) < 1e-9);
  assert.equal((await run([1, -1], [2, 0], 'first-order')).splits, 1);
});

test('adaptive doubles until |error| ≤ tolerance, with fourth-order convergence', async () => {
  const { run } = problem(Math.exp, Math.exp);
  const fixed = await Promise.all([2, 4, 8].map((n) => run([0, 1], [2, -1], 'adaptive', 0, n)));
  assert.deepEqual(fixed.map((r) => r.splits), [2, 4, 8]);
  const ratio = fixed[0].errors[0] / fixed[1].errors[0];
  assert.ok(ratio > 14 && ratio < 18, `error ratio per doubling ${ratio}, expected ≈16`);
  const adaptive = await run([0, 1], [2, -1], 'adaptive', 1e-3);
  assert.ok(Math.abs(adaptive.errors[0]) <= 1e-3);
  assert.ok(adaptive.splits > 2 && adaptive.splits <= 32);
  // Reuse: n intervals cost n − 1 new gradients (the two ends are given).
  assert.equal(adaptive.calls, adaptive.splits - 1);
});

test('adaptive stops at the split cap even when the error is still above tolerance', async () => {
  const { run } = problem((x) => Math.exp(4 * x), (x) => 4 * Math.exp(4 * x));
  const r = await run([0], [3], 'adaptive', 1e-12, 8);
  assert.equal(r.splits, 8);
  assert.ok(Math.abs(r.errors[0]) > 1e-12);
});
