// Statistics over runs (paper Table 1 "mean ± std over 3 runs", Section 4's tests over 10 runs):
// mean, sample std, one-sample and Welch t-tests, with Student's t CDF from the regularized
// incomplete beta function (continued fraction, Numerical Recipes §6.4). Pure; no dependencies.

export const mean = (x: readonly number[]): number => (x.length === 0 ? Number.NaN : x.reduce((a, b) => a + b, 0) / x.length);

/** Sample variance (n − 1); NaN below two values. */
export function sampleVariance(x: readonly number[]): number {
  if (x.length < 2) return Number.NaN;
  const m = mean(x);
  return x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1);
}

export const sampleStd = (x: readonly number[]): number => Math.sqrt(sampleVariance(x));

// Lanczos approximation (g = 7, n = 9; Godfrey's coefficients), |relative error| < 1e-13 for x > 0.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x); // reflection
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let k = 1; k < LANCZOS.length; k++) sum += LANCZOS[k] / (z + k);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction of I_x(a, b), evaluated by the modified Lentz method (NR `betacf`). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  const EPS = 1e-15;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < TINY ? TINY : d);
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    for (const coefficient of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + coefficient * d;
      d = 1 / (Math.abs(d) < TINY ? TINY : d);
      c = 1 + coefficient / c;
      c = Math.abs(c) < TINY ? TINY : c;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < EPS) return h;
  }
  return h; // not reached for the a, b, x a t-test produces
}

/** Regularized incomplete beta I_x(a, b) for a, b > 0, 0 ≤ x ≤ 1. */
export function incompleteBeta(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The fraction converges fast for x < (a + 1)/(a + b + 2); otherwise use I_x(a, b) = 1 − I_{1−x}(b, a).
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(|T| ≥ |t|) for Student's t with df > 0 (non-integer df allowed, as Welch needs) = I_{df/(df+t²)}(df/2, 1/2). */
export function studentTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / 2, 0.5, df / (df + t * t));
}

export interface TTest {
  t: number;
  df: number;
  p: number; // two-sided
}

/** H0: the mean of x is 0. t = mean / (s / √n), df = n − 1. NaN below two values or when s = 0 = mean. */
export function oneSampleT(x: readonly number[]): TTest {
  const n = x.length;
  const t = mean(x) / Math.sqrt(sampleVariance(x) / n);
  const df = n - 1;
  return { t, df: n >= 2 ? df : Number.NaN, p: studentTwoSidedP(t, df) };
}

/** Welch's unequal-variance test of mean(a) = mean(b), with the Welch–Satterthwaite df. */
export function welchT(a: readonly number[], b: readonly number[]): TTest {
  const va = sampleVariance(a) / a.length;
  const vb = sampleVariance(b) / b.length;
  const t = (mean(a) - mean(b)) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { t, df, p: studentTwoSidedP(t, df) };
}
