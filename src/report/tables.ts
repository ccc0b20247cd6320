// Turns each analysis result into a Report: the stable column names that TSV/CSV/JSON users
// depend on are declared here, one place per report (documented in docs/formats.md).
import type { ErrorResult } from '../analyze/error.js';
import { iterationsHelpedHistogram, type HelpedResult } from '../analyze/helped.js';
import { histogramBins } from '../analyze/histogram.js';
import type { LayersResult, LcaTotal } from '../analyze/layers.js';
import type { Cell, Report, Table } from './format.js';

type Context = Record<string, Cell>;

export function helpedReport(r: HelpedResult, context: Context): Report {
  const pct = (n: number) => (100 * n) / r.parameters;
  const T = r.iterations.length;
  const perParameter = Array.from(r.iterationsHelped, (n) => (100 * n) / Math.max(1, T));
  const meanHelpedIterations = perParameter.reduce((a, b) => a + b, 0) / Math.max(1, perParameter.length);
  const stdHelpedIterations = Math.sqrt(perParameter.reduce((a, b) => a + (b - meanHelpedIterations) ** 2, 0) / Math.max(1, perParameter.length));
  const bins = histogramBins(r.histogram);
  const nonzero = bins.reduce((n, b) => n + b.count, 0);
  return {
    report: 'helped',
    context,
    summary: {
      parameters: r.parameters,
      percent_helped: r.percent_helped,
      mean_percent_helped: r.mean_percent_helped,
      mean_percent_hurt: r.mean_percent_hurt,
      mean_percent_zero: r.mean_percent_zero,
      mean_percent_iterations_helped: meanHelpedIterations,
      std_percent_iterations_helped: stdHelpedIterations,
    },
    tables: [
      {
        name: 'iterations',
        columns: ['iteration', 'percent_helped', 'percent_hurt', 'percent_zero', 'helped', 'hurt', 'zero'],
        rows: r.iterations.map((it) => [it.iteration, pct(it.helped), pct(it.hurt), pct(it.zero), it.helped, it.hurt, it.zero]),
      },
      {
        // Fig. 3c: each layer's percent helping, averaged over iterations (ratios of means, as Table 1).
        name: 'layers',
        columns: ['layer', 'percent_helped', 'mean_percent_helped', 'mean_percent_hurt', 'mean_percent_zero', 'parameters'],
        rows: r.layers.map((l) => {
          const perIteration = (n: number) => (100 * n) / (l.parameters * Math.max(1, T));
          return [l.name, l.helped + l.hurt > 0 ? (100 * l.helped) / (l.helped + l.hurt) : null, perIteration(l.helped), perIteration(l.hurt), perIteration(l.zero), l.parameters];
        }),
      },
      {
        name: 'iterations_helped',
        columns: ['percent_from', 'percent_to', 'parameters', 'fraction'],
        rows: iterationsHelpedHistogram(r.iterationsHelped, T).map((b) => [b.from, b.to, b.parameters, b.parameters / r.parameters]),
      },
      {
        name: 'distribution',
        columns: ['lower', 'upper', 'count', 'fraction', 'lca'],
        rows: bins.map((b) => [b.lower, b.upper, b.count, b.count / nonzero, b.lca]),
      },
    ],
  };
}

// `hurt` is 1 for a layer whose total LCA is positive: it raised the loss over the range (Section 4).
const totalsTable = (name: string, totals: LcaTotal[]): Table => ({
  name,
  columns: [name === 'layers' ? 'layer' : 'variable', 'lca', 'share', 'parameters', 'hurt'],
  rows: totals.map((t) => [t.name, t.lca, t.share, t.parameters, +(t.lca > 0)]),
});

/** The per-layer curves as a long table, one row per (iteration, layer). */
function curvesTable(r: LayersResult): Table {
  const rows: Cell[][] = [];
  const cumulative = new Float64Array(r.series.length);
  r.iterations.forEach((iteration, t) => {
    r.layers.forEach((layer, g) => {
      cumulative[g] += r.series[g][t];
      rows.push([iteration, layer.name, r.series[g][t], cumulative[g]]);
    });
  });
  return { name: 'iterations', columns: ['iteration', 'layer', 'lca', 'cumulative_lca'], rows };
}

export function layersReport(r: LayersResult, context: Context): Report {
  return {
    report: 'layers',
    context,
    summary: { total_lca: r.total, layers_hurt: r.layers.filter((l) => l.lca > 0).length },
    tables: [totalsTable('layers', r.layers), totalsTable('variables', r.variables), curvesTable(r)],
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
