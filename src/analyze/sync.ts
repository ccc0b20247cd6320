// Synchronized moments of learning (paper Section 5, Fig. 6; original-conventions.md §8.3): per
// layer the local minima of its per-iteration LCA curve, the top K most negative; iterations where
// every layer has one; and a null of random per-layer shifts in {−2 … 2} iterations. Rules: docs/analysis.md.
import { RandomState } from '../data/mt19937.js';

export interface Peak {
  layer: number;
  rank: number; // 1 = most negative
  index: number; // position in the series (0 = the first analysed iteration)
  lca: number;
}

export interface SyncOptions {
  top: number; // paper: 20
  draws: number; // baseline draws
  maxShift: number; // paper: 2
  seed: number;
}

export interface SyncResult {
  peaks: Peak[];
  /** Series positions where every layer has a peak, ascending. */
  synchronized: number[];
  baselineMean: number;
  baselineStd: number;
  /** (1 + #{draws with count ≥ observed}) / (draws + 1). */
  pValue: number;
}

/**
 * Strict local minima: x[t] < x[t−1] and x[t] < x[t+1]. The first and last points have only one
 * neighbour and are never minima ("more than on the iteration before or after", Section 5).
 * Returns the `top` most negative, ties broken by the earlier iteration.
 */
export function topMinima(x: Float64Array, top: number): number[] {
  const minima: number[] = [];
  for (let t = 1; t + 1 < x.length; t++) if (x[t] < x[t - 1] && x[t] < x[t + 1]) minima.push(t);
  return minima.sort((a, b) => x[a] - x[b] || a - b).slice(0, top);
}

/** How many positions hold a peak of every layer after shifting layer l's peaks by shifts[l]. */
export function countAligned(peaks: readonly number[][], shifts: ArrayLike<number>, length: number): number {
  const hits = new Uint16Array(length);
  peaks.forEach((positions, l) => {
    for (const t of positions) {
      const s = t + shifts[l];
      if (s >= 0 && s < length) hits[s]++;
    }
  });
  let count = 0;
  for (let t = 0; t < length; t++) count += +(hits[t] === peaks.length);
  return count;
}

export function synchronization(series: readonly Float64Array[], options: SyncOptions): SyncResult {
  const length = series[0]?.length ?? 0;
  const peakIndex = series.map((x) => topMinima(x, options.top));
  const zero = new Int32Array(series.length);
  const observed = countAligned(peakIndex, zero, length);
  const hits = new Uint16Array(length);
  peakIndex.forEach((p) => p.forEach((t) => hits[t]++));
  const synchronized = [...hits.keys()].filter((t) => hits[t] === series.length && series.length > 0);
  // Each draw shifts every layer independently by a uniform integer in [−maxShift, maxShift].
  const random = new RandomState(options.seed);
  const shifts = new Int32Array(series.length);
  let sum = 0;
  let sumSq = 0;
  let atLeast = 0;
  for (let d = 0; d < options.draws; d++) {
    for (let l = 0; l < shifts.length; l++) shifts[l] = random.randomInterval(2 * options.maxShift) - options.maxShift;
    const count = countAligned(peakIndex, shifts, length);
    sum += count;
    sumSq += count * count;
    atLeast += +(count >= observed);
  }
  const mean = options.draws > 0 ? sum / options.draws : Number.NaN;
  const variance = options.draws > 1 ? (sumSq - options.draws * mean * mean) / (options.draws - 1) : Number.NaN;
  return {
    peaks: peakIndex.flatMap((p, layer) => p.map((index, r) => ({ layer, rank: r + 1, index, lca: series[layer][index] }))),
    synchronized,
    baselineMean: mean,
    baselineStd: Math.sqrt(Math.max(0, variance)),
    pValue: (1 + atLeast) / (options.draws + 1),
  };
}
