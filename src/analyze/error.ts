// How well the LCA is grounded: per-iteration errors ΔL_t − Σ_i LCA[t,i], their cumulative sum
// relative to the total loss change (the original's `relative_err`, §7), and the splits used.
import type { Fold, LcaRow } from './rows.js';

export interface ErrorStats {
  max_abs_error: number;
  mean_abs_error: number;
  /** Σ_t error_t = (L_end − L_start) − Σ LCA. */
  cumulative_error: number;
  total_delta_loss: number;
  /** |cumulative error| / |L_end − L_start|: the paper's "< 1%" figure. */
  cumulative_relative_error: number;
  iterations_above_tolerance: number;
}

export interface ErrorResult extends ErrorStats {
  iterations: number;
  tolerance: number;
  splits: { splits: number; iterations: number; fraction: number }[];
  val: ErrorStats | null;
}

function statsFold(prefix: string, tolerance: number) {
  let maxAbs = 0;
  let sumAbs = 0;
  let cumulative = 0;
  let delta = 0;
  let above = 0;
  let count = 0;
  return {
    add(row: LcaRow) {
      const error = row.scalar(`${prefix}error`);
      maxAbs = Math.max(maxAbs, Math.abs(error));
      sumAbs += Math.abs(error);
      cumulative += error;
      delta += row.scalar(`${prefix}delta_loss`);
      above += +(Math.abs(error) > tolerance * (row.span ?? 1)); // a block's error sums its iterations' (--every)
      count++;
    },
    result(): ErrorStats {
      return {
        max_abs_error: maxAbs,
        mean_abs_error: sumAbs / Math.max(1, count),
        cumulative_error: cumulative,
        total_delta_loss: delta,
        cumulative_relative_error: Math.abs(cumulative) / Math.abs(delta),
        iterations_above_tolerance: above,
      };
    },
  };
}

export function errorFold(tolerance: number, withVal: boolean): Fold<ErrorResult> {
  const train = statsFold('', tolerance);
  const val = withVal ? statsFold('val_', tolerance) : null;
  const splits = new Map<number, number>();
  let iterations = 0;
  return {
    add(row) {
      train.add(row);
      val?.add(row);
      const n = row.scalar('splits');
      splits.set(n, (splits.get(n) ?? 0) + 1);
      iterations++;
    },
    result() {
      return {
        ...train.result(),
        iterations,
        tolerance,
        splits: [...splits].sort((a, b) => a[0] - b[0]).map(([n, k]) => ({ splits: n, iterations: k, fraction: k / iterations })),
        val: val ? val.result() : null,
      };
    },
  };
}
