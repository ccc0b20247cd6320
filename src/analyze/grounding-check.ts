// When a run's LCA does not add up to its loss change: the paper's bar (original-conventions.md §7)
// is a cumulative error under 1 % of the total loss change, and adaptive keeps every row within the
// tolerance. A report built on rows that miss it says so, with the numbers, wherever it goes.
import { errorFold, type ErrorStats } from './error.js';

export const MAX_CUMULATIVE_RELATIVE_ERROR = 0.01;

export type Grounding = Pick<ErrorStats, 'max_abs_error' | 'cumulative_relative_error' | 'iterations_above_tolerance'> & { iterations: number; tolerance: number };

const percent = (x: number) => `${Number((100 * x).toPrecision(3))} %`;

/** One line naming what is wrong, or null when the rows are grounded. */
export function groundingWarning(g: Grounding): string | null {
  const relative = g.cumulative_relative_error;
  const cumulativeBad = !(relative <= MAX_CUMULATIVE_RELATIVE_ERROR); // NaN (no loss change) is no evidence either way…
  const rowsBad = g.iterations_above_tolerance > 0;
  if (!rowsBad && (!cumulativeBad || Number.isNaN(relative))) return null; // …so only rows above the tolerance can flag it
  return `poorly grounded LCA: cumulative relative error ${Number.isFinite(relative) ? percent(relative) : String(relative)} (the bar is 1 %), ` +
    `${g.iterations_above_tolerance} of ${g.iterations} rows above the tolerance ${g.tolerance} (max |error| ${Number(g.max_abs_error.toPrecision(4))}); ` +
    'these values do not add up to the loss change (details: lca analyze --report error)';
}

/** The grounding of rows' per-iteration columns (`error`, `delta_loss`), e.g. a reader's scalars-only rows. */
export function groundingOfRows(rows: Iterable<{ iteration: number; span?: number; scalar(name: string): number }>, tolerance: number): Grounding {
  const fold = errorFold(tolerance, false);
  for (const row of rows) fold.add({ iteration: row.iteration, span: row.span, scalar: (name) => (name === 'splits' ? 0 : row.scalar(name)), variable: () => new Float32Array(0) });
  return { ...fold.result(), tolerance };
}
