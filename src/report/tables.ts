// Turns each analysis result into a Report: the stable column names that TSV/CSV/JSON users
// depend on are declared here, one place per report (documented in docs/formats.md).
import type { ErrorResult } from '../analyze/error.js';
import type { HelpedResult } from '../analyze/helped.js';
import type { LayersResult, LcaTotal } from '../analyze/layers.js';
import type { Cell, Report, Table } from './format.js';

type Context = Record<string, Cell>;

export function helpedReport(r: HelpedResult, context: Context): Report {
  const pct = (n: number) => (100 * n) / r.parameters;
  return {
    report: 'helped',
    context,
    summary: {
      parameters: r.parameters,
      percent_helped: r.percent_helped,
      mean_percent_helped: r.mean_percent_helped,
      mean_percent_hurt: r.mean_percent_hurt,
      mean_percent_zero: r.mean_percent_zero,
    },
    tables: [{
      name: 'iterations',
      columns: ['iteration', 'percent_helped', 'percent_hurt', 'percent_zero', 'helped', 'hurt', 'zero'],
      rows: r.iterations.map((it) => [it.iteration, pct(it.helped), pct(it.hurt), pct(it.zero), it.helped, it.hurt, it.zero]),
    }],
  };
}

const totalsTable = (name: string, totals: LcaTotal[]): Table => ({
  name,
  columns: [name === 'layers' ? 'layer' : 'variable', 'lca', 'share', 'parameters'],
  rows: totals.map((t) => [t.name, t.lca, t.share, t.parameters]),
});

export function layersReport(r: LayersResult, context: Context): Report {
  return {
    report: 'layers',
    context,
    summary: { total_lca: r.total },
    tables: [totalsTable('layers', r.layers), totalsTable('variables', r.variables)],
  };
}

export function errorReport(r: ErrorResult, context: Context, methods: { method: string; result: ErrorResult }[]): Report {
  const { splits, val, iterations, tolerance, ...train } = r;
  return {
    report: 'error',
    context,
    summary: {
      iterations,
      tolerance,
      ...train,
      ...(val ? Object.fromEntries(Object.entries(val).map(([k, v]) => [`val_${k}`, v])) : {}),
    },
    tables: [
      { name: 'splits', columns: ['splits', 'iterations', 'fraction'], rows: splits.map((s) => [s.splits, s.iterations, s.fraction]) },
      {
        name: 'methods',
        columns: ['method', 'iterations', 'max_abs_error', 'mean_abs_error', 'cumulative_relative_error'],
        rows: methods.map(({ method, result: m }) => [method, m.iterations, m.max_abs_error, m.mean_abs_error, m.cumulative_relative_error]),
      },
    ],
  };
}
