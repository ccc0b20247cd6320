// `lca prune`'s rankings and masks (the paper's future work: prune what did not help). A mask keeps
// n = round(keep·K) parameters; every ranking is checked against magnitude and seeded random masks
// of the same n (docs/analysis.md, `lca prune`). Pure: θ and LCA arrive as arrays.
import { RandomState } from '../data/mt19937.js';
import type { Fold, LcaRow } from './rows.js';

export const RANKINGS = ['total-help', 'recent-help', 'magnitude'] as const;
export type Ranking = (typeof RANKINGS)[number];

/** recent-help sums the last RECENT_FRACTION of the range's rows (at least one). */
export const RECENT_FRACTION = 0.1;

export const recentFrom = (first: number, last: number): number => last - Math.max(1, Math.ceil(RECENT_FRACTION * (last - first + 1))) + 1;

/**
 * Per parameter, −Σ_t LCA[t, i] over every row and over the rows t ≥ recent: the help it gave, [K]
 * each (larger = helped more). `sizes`: the variables' sizes in θ's order, as the rows deliver them.
 */
export function helpFold(sizes: readonly number[], recent: number): Fold<{ total: Float64Array; recent: Float64Array }> {
  const parameters = sizes.reduce((a, b) => a + b, 0);
  const total = new Float64Array(parameters);
  const late = new Float64Array(parameters);
  return {
    add(row: LcaRow) {
      let offset = 0;
      sizes.forEach((size, k) => {
        const values = row.variable(k);
        for (let i = 0; i < size; i++) total[offset + i] -= values[i];
        if (row.iteration >= recent) for (let i = 0; i < size; i++) late[offset + i] -= values[i];
        offset += size;
      });
    },
    result: () => ({ total, recent: late }),
  };
}

export const keptCount = (parameters: number, keep: number): number => Math.round(keep * parameters);

/** 1 for the n parameters with the largest scores (ties: the lower index), 0 elsewhere, [K]. */
export function topMask(scores: ArrayLike<number>, n: number): Uint8Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  const mask = new Uint8Array(scores.length);
  for (let j = 0; j < n; j++) mask[order[j]] = 1;
  return mask;
}

export const magnitudeScores = (theta: Float32Array): Float64Array => Float64Array.from(theta, Math.abs);

/** Random mask j of a check: the first n of numpy's RandomState(seed + j).permutation(K). */
export function randomMask(parameters: number, n: number, seed: number): Uint8Array {
  const mask = new Uint8Array(parameters);
  const order = new RandomState(seed).permutation(parameters);
  for (let j = 0; j < n; j++) mask[order[j]] = 1;
  return mask;
}

/** θ ⊙ mask: the pruned parameters set to 0. */
export const applyMask = (theta: Float32Array, mask: Uint8Array): Float32Array => theta.map((x, i) => (mask[i] ? x : 0));

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}
