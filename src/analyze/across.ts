// One statistic across runs: mean ± sample std over n runs (paper Table 1, Fig. 4), a one-sample
// t-test against 0 (Section 4: "the first and last layer hurt statistically significantly") and,
// with a second group of runs (--vs), Welch's two-sample test (Section 4: frozen last layer, train loss).
import { InputError } from '../errors.js';
import { mean, oneSampleT, sampleStd, welchT, type TTest } from './stats.js';
import type { VariableInfo } from './rows.js';

export interface Across {
  name: string;
  values: number[]; // one per run of the first group, in --run order
  mean: number;
  std: number;
  /** H0: the mean is 0 (only where that question makes sense: LCA totals). */
  zero?: TTest;
  vs?: { values: number[]; mean: number; std: number; welch: TTest };
}

export function across(name: string, values: number[], vs: number[] | undefined, testZero: boolean): Across {
  return {
    name,
    values,
    mean: mean(values),
    std: sampleStd(values),
    ...(testZero ? { zero: oneSampleT(values) } : {}),
    ...(vs ? { vs: { values: vs, mean: mean(vs), std: sampleStd(vs), welch: welchT(values, vs) } } : {}),
  };
}

/** Runs compared must hold the same variables (names and shapes, in order); the error names the run. */
export function checkSameVariables(runs: readonly { run: string; variables: readonly VariableInfo[] }[]): void {
  const describe = (vars: readonly VariableInfo[]) => vars.map((v) => `${v.name}[${v.shape.join(',')}]`).join(' ');
  const reference = describe(runs[0].variables);
  for (const r of runs.slice(1)) {
    const here = describe(r.variables);
    if (here === reference) continue;
    const first = r.variables.findIndex((v, k) => describe([v]) !== describe(runs[0].variables.slice(k, k + 1)));
    const at = first < 0 ? `it has ${r.variables.length} variables, not ${runs[0].variables.length}` : `variable ${first + 1} is ${describe([r.variables[first]])}, not ${describe(runs[0].variables.slice(first, first + 1)) || 'absent'}`;
    throw new InputError(`${r.run}: variables differ from ${runs[0].run} (${at}); runs compared must have the same model`);
  }
}
