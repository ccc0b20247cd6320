// How concentrated help and hurt are among parameters (original-conventions.md §8.2: `negative_gini`,
// `positive_gini`, `frac_params_needed`), on each parameter's LCA summed over the analysed iterations.
import type { Selection } from './groups.js';
import type { Fold, LcaRow } from './rows.js';

export interface Concentration {
  name: string;
  parameters: number;
  helping: number; // parameters whose total LCA < 0
  hurting: number; // > 0
  /** Gini of max(−total, 0) over every parameter of the group (zeros included, as the original's clip). */
  gini_helped: number;
  gini_hurt: number;
  /** Fraction of the helping parameters that, largest first, give `share` of the total help. */
  fraction_for_share: number;
}

/** Gini of non-negative values: Σ_i (2i − n − 1)·x_(i) / (n Σ x), x ascending, i = 1 … n; NaN when Σ x = 0. */
export function gini(values: Float64Array): number {
  const x = values.slice().sort();
  const n = x.length;
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    weighted += (2 * (i + 1) - n - 1) * x[i];
    total += x[i];
  }
  return total > 0 ? weighted / (n * total) : Number.NaN;
}

/** Smallest fraction of the positive values that, taken largest first, reach `share` of their sum. */
export function fractionNeeded(values: Float64Array, share: number): number {
  const positive = values.filter((v) => v > 0).sort().reverse();
  const total = positive.reduce((a, b) => a + b, 0);
  if (total === 0) return Number.NaN;
  let cumulative = 0;
  for (let i = 0; i < positive.length; i++) {
    cumulative += positive[i];
    if (cumulative >= share * total) return (i + 1) / positive.length;
  }
  return 1;
}

function concentrationOf(name: string, totals: Float64Array, share: number): Concentration {
  const helped = totals.map((v) => Math.max(-v, 0));
  const hurt = totals.map((v) => Math.max(v, 0));
  return {
    name,
    parameters: totals.length,
    helping: helped.filter((v) => v > 0).length,
    hurting: hurt.filter((v) => v > 0).length,
    gini_helped: gini(helped),
    gini_hurt: gini(hurt),
    fraction_for_share: fractionNeeded(helped, share),
  };
}

export interface ConcentrationResult {
  share: number;
  overall: Concentration;
  layers: Concentration[];
}

/** Per-parameter totals in a K-length float64 accumulator; the sorting happens once, at the end. */
export function concentrationFold({ variables, groups }: Selection, share = 0.9): Fold<ConcentrationResult> {
  const offsets = variables.map((_, k) => variables.slice(0, k).reduce((n, v) => n + v.size, 0));
  const totals = new Float64Array(variables.reduce((n, v) => n + v.size, 0));
  return {
    add(row: LcaRow) {
      for (let k = 0; k < variables.length; k++) {
        const values = row.variable(k);
        const o = offsets[k];
        for (let i = 0; i < values.length; i++) totals[o + i] += values[i];
      }
    },
    result() {
      const layers = groups.map((g) => {
        const parts = g.members.map((k) => totals.subarray(offsets[k], offsets[k] + variables[k].size));
        const joined = new Float64Array(g.parameters);
        let at = 0;
        for (const p of parts) { joined.set(p, at); at += p.length; }
        return concentrationOf(g.name, joined, share);
      });
      return { share, overall: concentrationOf('all', totals, share), layers };
    },
  };
}
