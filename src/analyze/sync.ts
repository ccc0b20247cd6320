// Synchronized moments of learning (paper Section 5, Fig. 6; original-conventions.md §8.3): per
// layer the local minima of its per-iteration LCA curve, the top K most negative; iterations where
// every layer has one; and a null of random per-layer shifts in {−2 … 2} iterations. With per-class LCA
// the same per class × layer (the paper's Fig. 6), synchronized within each class. Rules: docs/analysis.md.
import { RandomState } from '../data/mt19937.js';
import type { Selection } from './groups.js';
import type { Fold, LcaRow } from './rows.js';

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

/** Per group (one per class with per-class LCA) its peaks and synchronized positions; one shared baseline. */
export interface GroupedSyncResult {
  groups: { peaks: Peak[]; synchronized: number[] }[];
  baselineMean: number;
  baselineStd: number;
  pValue: number;
}

/**
 * Synchronization within groups of series: a position counts once per group in which every series
 * of the group has a peak there (per class: all layers of that class). Each draw shifts every series
 * of every group independently, group by group in order, so one group reproduces `synchronization`.
 */
export function groupedSynchronization(groups: readonly (readonly Float64Array[])[], options: SyncOptions): GroupedSyncResult {
  const length = groups[0]?.[0]?.length ?? 0;
  const peakIndex = groups.map((series) => series.map((x) => topMinima(x, options.top)));
  const count = (shifts: readonly Int32Array[]) => peakIndex.reduce((n, peaks, g) => n + countAligned(peaks, shifts[g], length), 0);
  const observed = count(groups.map((series) => new Int32Array(series.length)));
  // Each draw shifts every series independently by a uniform integer in [−maxShift, maxShift].
  const random = new RandomState(options.seed);
  const shifts = groups.map((series) => new Int32Array(series.length));
  let sum = 0;
  let sumSq = 0;
  let atLeast = 0;
  for (let d = 0; d < options.draws; d++) {
    for (const s of shifts) for (let l = 0; l < s.length; l++) s[l] = random.randomInterval(2 * options.maxShift) - options.maxShift;
    const c = count(shifts);
    sum += c;
    sumSq += c * c;
    atLeast += +(c >= observed);
  }
  const mean = options.draws > 0 ? sum / options.draws : Number.NaN;
  const variance = options.draws > 1 ? (sumSq - options.draws * mean * mean) / (options.draws - 1) : Number.NaN;
  return {
    groups: groups.map((series, g) => {
      const hits = new Uint16Array(length);
      peakIndex[g].forEach((p) => p.forEach((t) => hits[t]++));
      return {
        peaks: peakIndex[g].flatMap((p, layer) => p.map((index, r) => ({ layer, rank: r + 1, index, lca: series[layer][index] }))),
        synchronized: [...hits.keys()].filter((t) => hits[t] === series.length && series.length > 0),
      };
    }),
    baselineMean: mean,
    baselineStd: Math.sqrt(Math.max(0, variance)),
    pValue: (1 + atLeast) / (options.draws + 1),
  };
}

export function synchronization(series: readonly Float64Array[], options: SyncOptions): SyncResult {
  const { groups: [only], baselineMean, baselineStd, pValue } = groupedSynchronization([series], options);
  return { peaks: only.peaks, synchronized: only.synchronized, baselineMean, baselineStd, pValue };
}

export interface ClassLayerSeries {
  /** [class][layer] → the class's LCA summed over the layer, per analysed iteration. */
  series: Float64Array[][];
  iterations: number[];
}

/**
 * Per-class layer curves from the per-class columns (`column(c, variable)` names class c's sum over a
 * variable): for each class and selected layer, Σ over the layer's selected variables, per row. Memory: C × L floats a row.
 */
export function classLayerFold({ variables, groups }: Selection, classes: number, column: (c: number, variable: string) => string): Fold<ClassLayerSeries> {
  const columns = Array.from({ length: classes }, (_, c) => groups.map((g) => g.members.map((k) => column(c, variables[k].name))));
  const values: number[][][] = columns.map((layers) => layers.map(() => []));
  const iterations: number[] = [];
  return {
    add(row: LcaRow) {
      iterations.push(row.iteration);
      columns.forEach((layers, c) => layers.forEach((names, l) => values[c][l].push(names.reduce((s, name) => s + row.scalar(name), 0))));
    },
    result: () => ({ series: values.map((layers) => layers.map((x) => Float64Array.from(x))), iterations }),
  };
}
