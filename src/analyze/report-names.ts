// The names of `lca analyze --report`, without importing any analysis code (`lca --help` stays fast,
// and figures can name the reports they draw without depending on the job that computes them).
import type { Store } from '../lca/aggregate.js';

export const REPORTS = ['helped', 'layers', 'error', 'sync', 'concentration', 'tails', 'oscillations', 'neurons', 'overfitting', 'freeze'] as const;
export type ReportName = (typeof REPORTS)[number];

/**
 * The least each report needs of the stored LCA (`lca compute --store`): every parameter, per-unit sums
 * (neurons sums each unit anyway), or per-variable sums, which is all the per-layer reports read.
 */
export const REPORT_NEEDS: Record<ReportName, Store> = {
  helped: 'full', concentration: 'full', tails: 'full', oscillations: 'full', neurons: 'units',
  layers: 'layers', error: 'layers', sync: 'layers', overfitting: 'layers', freeze: 'layers',
};
