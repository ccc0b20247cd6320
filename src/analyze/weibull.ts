// Maximum-likelihood Weibull fit (shape k, scale λ) of positive values: the paper's "a better model of
// LCA would be the Weibull distribution with k < 1" (Section 3); the original only hand-set one (§8.2).

export interface WeibullFit {
  shape: number; // k
  scale: number; // λ
  n: number;
  iterations: number; // Newton steps taken
}

/**
 * Newton's method on the profile-likelihood equation in k,
 *   g(k) = Σ y^k ln y / Σ y^k − 1/k − mean(ln y) = 0,
 * which is increasing in k, then λ = (mean y^k)^(1/k). Logs are centred (z = ln y − mean ln y) and
 * the exponentials shifted by their maximum, so values of 1e-9 or 1e3 fit alike.
 */
export function fitWeibull(values: ArrayLike<number>): WeibullFit {
  const z = Float64Array.from(values, Math.log);
  const n = z.length;
  if (n < 2) return { shape: Number.NaN, scale: Number.NaN, n, iterations: 0 };
  const meanLog = z.reduce((a, b) => a + b, 0) / n;
  let zMax = -Infinity;
  let varLog = 0;
  for (let i = 0; i < n; i++) {
    z[i] -= meanLog;
    zMax = Math.max(zMax, z[i]);
    varLog += z[i] * z[i];
  }
  varLog /= n;
  if (!(varLog > 0)) return { shape: Number.NaN, scale: Number.NaN, n, iterations: 0 };
  // Var(ln Y) = π² / (6k²) for a Weibull: a start close to the answer.
  let k = Math.PI / Math.sqrt(6 * varLog);
  const sums = (shape: number) => {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const w = Math.exp(shape * (z[i] - zMax));
      s0 += w;
      s1 += w * z[i];
      s2 += w * z[i] * z[i];
    }
    return { s0, s1, s2 };
  };
  let iterations = 0;
  for (; iterations < 100; iterations++) {
    const { s0, s1, s2 } = sums(k);
    const g = s1 / s0 - 1 / k;
    const slope = (s2 * s0 - s1 * s1) / (s0 * s0) + 1 / (k * k);
    let next = k - g / slope;
    if (!(next > 0)) next = k / 2; // keep k positive; g < 0 below the root, so halving is safe
    const done = Math.abs(next - k) <= 1e-12 * k;
    k = next;
    if (done) break;
  }
  const { s0 } = sums(k);
  // mean(y^k) = e^{k(meanLog + zMax)} · s0 / n
  const scale = Math.exp(meanLog + zMax + Math.log(s0 / n) / k);
  return { shape: k, scale, n, iterations: iterations + 1 };
}
