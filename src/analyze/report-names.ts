// The names of `lca analyze --report`, without importing any analysis code (`lca --help` stays fast,
// and figures can name the reports they draw without depending on the job that computes them).
export const REPORTS = ['helped', 'layers', 'error', 'sync', 'concentration', 'tails', 'oscillations', 'neurons', 'overfitting', 'freeze'] as const;
export type ReportName = (typeof REPORTS)[number];
