// The unit every report folds over: one row t of the LCA matrix (θ_t → θ_{t+1}), with its
// per-iteration columns and one Float32Array view per variable. Pure: no files here.

export interface LcaRow {
  iteration: number;
  /** A per-iteration column (`loss`, `error`, `splits`, …). */
  scalar(name: string): number;
  /** LCA of variable k at this iteration, [size of k]; a view valid during `add` only. */
  variable(k: number): Float32Array;
  /**
   * Σ of variable k's LCA at this row, where the parts store sums (`compute --store layers|units`)
   * and `variable` is unavailable; absent for full parts, whose folds sum `variable(k)`.
   */
  variableSum?(k: number): number;
  /** Per-unit sums of variable k's LCA, [units] (`compute --store units`); absent elsewhere. */
  units?(k: number): Float32Array;
  /** Iterations the row covers (`compute --every k`: a block from `iteration` on); 1 when absent. */
  span?: number;
}

/** Σ of variable k's LCA at this row, from the stored sum or from every parameter. */
export const variableTotal = (row: LcaRow, k: number): number => row.variableSum?.(k) ?? sumValues(row.variable(k));

export function sumValues(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum;
}

export interface VariableInfo {
  name: string;
  shape: number[];
  size: number;
}

/** A streaming statistic: rows arrive once each, in iteration order. */
export interface Fold<Result> {
  add(row: LcaRow): void;
  result(): Result;
}
