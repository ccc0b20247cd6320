// Percent of parameters helping (LCA < 0), hurting (> 0) and exactly zero, per iteration and over
// the run (the paper's Fig. 3a and Table 1; original-conventions.md §8.2, `phpi_manual_plot`).
import type { Fold, LcaRow, VariableInfo } from './rows.js';

export interface HelpedIteration {
  iteration: number;
  helped: number; // counts over all K parameters
  hurt: number;
  zero: number;
}

export interface HelpedResult {
  parameters: number;
  iterations: HelpedIteration[];
  mean_percent_helped: number; // mean over iterations of helped/K, in %
  mean_percent_hurt: number;
  mean_percent_zero: number;
  /** Table 1's statistic: mean helped / (mean helped + mean hurt), zeros ignored, in %. */
  percent_helped: number;
}

/** Counts x < 0 and x > 0 without a branch per element (half the values take each side). */
export function countSigns(values: Float32Array): { negative: number; positive: number } {
  let negative = 0;
  let positive = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    negative += +(x < 0);
    positive += +(x > 0);
  }
  return { negative, positive };
}

export function helpedFold(variables: readonly VariableInfo[]): Fold<HelpedResult> {
  const parameters = variables.reduce((n, v) => n + v.size, 0);
  const iterations: HelpedIteration[] = [];
  return {
    add(row: LcaRow) {
      let helped = 0;
      let hurt = 0;
      variables.forEach((_, k) => {
        const counts = countSigns(row.variable(k));
        helped += counts.negative;
        hurt += counts.positive;
      });
      iterations.push({ iteration: row.iteration, helped, hurt, zero: parameters - helped - hurt });
    },
    result() {
      const mean = (pick: (it: HelpedIteration) => number) =>
        iterations.reduce((sum, it) => sum + pick(it), 0) / Math.max(1, iterations.length);
      const [helped, hurt, zero] = [mean((it) => it.helped), mean((it) => it.hurt), mean((it) => it.zero)];
      return {
        parameters,
        iterations,
        mean_percent_helped: (100 * helped) / parameters,
        mean_percent_hurt: (100 * hurt) / parameters,
        mean_percent_zero: (100 * zero) / parameters,
        percent_helped: helped + hurt > 0 ? (100 * helped) / (helped + hurt) : Number.NaN,
      };
    },
  };
}
