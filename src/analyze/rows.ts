// The unit every report folds over: one row t of the LCA matrix (θ_t → θ_{t+1}), with its
// per-iteration columns and one Float32Array view per variable. Pure: no files here.

export interface LcaRow {
  iteration: number;
  /** A per-iteration column (`loss`, `error`, `splits`, …). */
  scalar(name: string): number;
  /** LCA of variable k at this iteration, [size of k]; a view valid during `add` only. */
  variable(k: number): Float32Array;
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
