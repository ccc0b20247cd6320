// Turns each analysis result into a Report: the stable column names that TSV/CSV/JSON users
// depend on are declared here, one place per report (documented in docs/formats.md).
import type { ErrorResult } from '../analyze/error.js';
import { iterationsHelpedHistogram, type HelpedResult } from '../analyze/helped.js';
import { histogramBins } from '../analyze/histogram.js';
import type { StillCounts } from '../analyze/still.js';
import type { LayersResult, LcaTotal } from '../analyze/layers.js';
import type { Across } from '../analyze/across.js';
import { rankUnits, type NeuronLayer } from '../analyze/neurons.js';
import type { Oscillation } from '../analyze/oscillations.js';
import type { Cell, Report, Table } from './format.js';

type Context = Record<string, Cell>;

/**
 * `still`: Δθ = 0 counts from the run's weights (null when the run has none), which split the exact
 * zeros into "did not move" and "moved, zero gradient"; those columns come last, so older pipelines keep their column numbers.
 */
export function helpedReport(r: HelpedResult, context: Context, still: StillCounts | null): Report {
  const pct = (n: number) => (100 * n) / r.parameters;
  const T = r.iterations.length;
  const notMoved = (t: number) => (still ? still.rows[t] : null);
  const movedZero = (t: number, zero: number) => (still ? zero - still.rows[t] : null);
  const meanPercent = (count: (t: number) => number | null) =>
    still ? r.iterations.reduce((sum, _, t) => sum + pct(count(t)!), 0) / Math.max(1, T) : null;
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
      mean_percent_not_moved: meanPercent(notMoved),
      mean_percent_moved_zero_gradient: meanPercent((t) => movedZero(t, r.iterations[t].zero)),
      mean_percent_iterations_helped: meanHelpedIterations,
      std_percent_iterations_helped: stdHelpedIterations,
    },
    tables: [
      {
        name: 'iterations',
        columns: ['iteration', 'percent_helped', 'percent_hurt', 'percent_zero', 'helped', 'hurt', 'zero', 'not_moved', 'moved_zero_gradient'],
        rows: r.iterations.map((it, t) => [it.iteration, pct(it.helped), pct(it.hurt), pct(it.zero), it.helped, it.hurt, it.zero, notMoved(t), movedZero(t, it.zero)]),
      },
      {
        // Fig. 3c: each layer's percent helping, averaged over iterations (ratios of means, as Table 1).
        name: 'layers',
        columns: ['layer', 'percent_helped', 'mean_percent_helped', 'mean_percent_hurt', 'mean_percent_zero', 'parameters', 'mean_percent_not_moved', 'mean_percent_moved_zero_gradient'],
        rows: r.layers.map((l, j) => {
          const perIteration = (n: number) => (100 * n) / (l.parameters * Math.max(1, T));
          return [l.name, l.helped + l.hurt > 0 ? (100 * l.helped) / (l.helped + l.hurt) : null, perIteration(l.helped), perIteration(l.hurt), perIteration(l.zero), l.parameters,
            still ? perIteration(still.layers[j]) : null, still ? perIteration(l.zero - still.layers[j]) : null];
        }),
      },
      {
        name: 'iterations_helped',
        columns: ['percent_from', 'percent_to', 'iterations_from', 'iterations_to', 'parameters', 'fraction'],
        rows: iterationsHelpedHistogram(r.iterationsHelped, T).map((b) => [b.from, b.to, b.kFrom, b.kTo, b.parameters, b.parameters / r.parameters]),
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

const finite = (x: number): Cell => (Number.isFinite(x) ? x : null);

export interface OscillationTables {
  iterations: number; // movements Δθ_t in the range
  all: { weights: Oscillation; lca: Oscillation };
  layers: { weights: Oscillation[]; lca: Oscillation[] };
  variables: { weights: Oscillation[]; lca: Oscillation[] };
  /** Gradient sign changes from `lca compute --save-gradients`, or why they are absent. */
  gradients: string | { all: Oscillation; layers: Oscillation[]; variables: Oscillation[] };
}

const oscillationTable = (name: string, label: string, r: { weights: Oscillation[]; lca: Oscillation[] }, iterations: number, gradients?: Oscillation[]): Table => ({
  name,
  columns: [label, 'parameters', 'iterations', 'weight_changes_per_parameter', 'weight_iterations_per_change', 'lca_changes_per_parameter', 'lca_iterations_per_change',
    ...(gradients ? ['gradient_changes_per_parameter', 'gradient_iterations_per_change'] : [])],
  rows: r.weights.map((w, j) => [w.name, w.parameters, iterations, w.changesPerParameter, finite(w.iterationsPerChange), r.lca[j].changesPerParameter, finite(r.lca[j].iterationsPerChange),
    ...(gradients ? [gradients[j].changesPerParameter, finite(gradients[j].iterationsPerChange)] : [])]),
});

export function oscillationsReport(r: OscillationTables, context: Context): Report {
  return {
    report: 'oscillations',
    context,
    summary: {
      iterations: r.iterations,
      weight_changes_per_parameter: r.all.weights.changesPerParameter,
      weight_iterations_per_change: finite(r.all.weights.iterationsPerChange),
      lca_changes_per_parameter: r.all.lca.changesPerParameter,
      lca_iterations_per_change: finite(r.all.lca.iterationsPerChange),
      ...(typeof r.gradients === 'string' ? { gradient_sign_changes: r.gradients } : {
        gradient_sign_changes: 'from saved gradients',
        gradient_changes_per_parameter: r.gradients.all.changesPerParameter,
        gradient_iterations_per_change: finite(r.gradients.all.iterationsPerChange),
      }),
    },
    tables: [
      oscillationTable('layers', 'layer', r.layers, r.iterations, typeof r.gradients === 'string' ? undefined : r.gradients.layers),
      oscillationTable('variables', 'variable', r.variables, r.iterations, typeof r.gradients === 'string' ? undefined : r.gradients.variables),
    ],
  };
}

export function neuronsReport(layers: NeuronLayer[], top: number, context: Context): Report {
  const ranked = layers.map((l) => ({ name: l.name, units: rankUnits(l.units) }));
  const count = (pick: (lca: number) => boolean) => layers.reduce((n, l) => n + l.units.filter(pick).length, 0);
  return {
    report: 'neurons',
    context,
    summary: {
      layers: layers.length,
      units: count(() => true),
      units_helped: count((x) => x < 0),
      units_hurt: count((x) => x > 0),
      top,
    },
    tables: [
      { name: 'neurons', columns: ['layer', 'unit', 'lca'], rows: ranked.flatMap((l) => l.units.map((u) => [l.name, u.unit, u.lca])) },
      {
        // Per layer the `top` units with the most negative LCA (side top: helped most) and the `top` with the highest (bottom).
        name: 'top',
        columns: ['layer', 'side', 'rank', 'unit', 'lca'],
        rows: ranked.flatMap((l) => [
          ...l.units.slice(0, top).map((u, r): Cell[] => [l.name, 'top', r + 1, u.unit, u.lca]),
          ...l.units.slice(-top).reverse().map((u, r): Cell[] => [l.name, 'bottom', r + 1, u.unit, u.lca]),
        ]),
      },
    ],
  };
}

export interface AcrossRuns {
  report: 'helped' | 'layers';
  runs: string[];
  vs: string[];
  /** helped: its summary numbers; layers: each layer's total LCA. */
  statistics: Across[];
  /** layers: the final training loss (next_loss of the last row) and the total LCA. */
  loss?: Across[];
}

/** mean, std, n, [one-sample t], [the --vs group and Welch's test], then every run's value. */
function acrossTable(name: string, label: string, rows: Across[], runs: number, vs: number): Table {
  const zero = rows.some((r) => r.zero);
  const columns = [label, 'mean', 'std', 'n', ...(zero ? ['t', 'df', 'p_value'] : []),
    ...(vs > 0 ? ['vs_mean', 'vs_std', 'vs_n', 'welch_t', 'welch_df', 'welch_p_value'] : []),
    ...Array.from({ length: runs }, (_, i) => `run_${i + 1}`), ...Array.from({ length: vs }, (_, i) => `vs_${i + 1}`)];
  return {
    name,
    columns,
    rows: rows.map((r) => [r.name, r.mean, finite(r.std), r.values.length,
      ...(zero ? [finite(r.zero?.t ?? Number.NaN), finite(r.zero?.df ?? Number.NaN), finite(r.zero?.p ?? Number.NaN)] : []),
      ...(r.vs ? [r.vs.mean, finite(r.vs.std), r.vs.values.length, finite(r.vs.welch.t), finite(r.vs.welch.df), finite(r.vs.welch.p)] : []),
      ...r.values, ...(r.vs?.values ?? [])]),
  };
}

export function acrossRunsReport(r: AcrossRuns, context: Context): Report {
  const [runs, vs] = [r.runs.length, r.vs.length];
  const pick = (rows: Across[] | undefined, name: string) => rows?.find((s) => s.name === name);
  const headline = r.report === 'helped' ? pick(r.statistics, 'percent_helped') : pick(r.loss, 'final_loss');
  const prefix = r.report === 'helped' ? 'percent_helped' : 'final_loss';
  return {
    report: `${r.report}-runs`,
    context,
    summary: {
      runs,
      ...(vs > 0 ? { vs_runs: vs } : {}),
      [`${prefix}_mean`]: headline?.mean ?? null,
      [`${prefix}_std`]: finite(headline?.std ?? Number.NaN),
      ...(headline?.vs ? { [`${prefix}_vs_mean`]: headline.vs.mean, [`${prefix}_welch_p_value`]: finite(headline.vs.welch.p) } : {}),
    },
    tables: [
      acrossTable(r.report === 'helped' ? 'statistics' : 'layers', r.report === 'helped' ? 'statistic' : 'layer', r.statistics, runs, vs),
      ...(r.loss ? [acrossTable('loss', 'statistic', r.loss, runs, vs)] : []),
      { name: 'runs', columns: ['column', 'run'], rows: [...r.runs.map((run, i) => [`run_${i + 1}`, run]), ...r.vs.map((run, i) => [`vs_${i + 1}`, run])] },
    ],
  };
}
