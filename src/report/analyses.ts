// Reports for the paper's finer measurements: synchronization (Section 5), concentration (§8.2) and
// heavy tails (Section 3). Column names are stable (docs/analysis.md defines each statistic).
import type { ConcentrationResult, Concentration } from '../analyze/concentration.js';
import type { GroupedSyncResult, SyncResult } from '../analyze/sync.js';
import type { TailsResult } from '../analyze/tails.js';
import type { Cell, Report } from './format.js';

type Context = Record<string, Cell>;
type SyncOptions = { top: number; draws: number; seed: number };

/** The shifted-baseline comparison both sync reports end their summary with. */
const baselineSummary = (r: { baselineMean: number; baselineStd: number; pValue: number }, options: SyncOptions) => ({
  baseline_mean: r.baselineMean,
  baseline_std: r.baselineStd,
  draws: options.draws,
  seed: options.seed,
  p_value: r.pValue,
});

export function syncReport(r: SyncResult, layers: string[], iterations: number[], options: SyncOptions, context: Context): Report {
  const peaksAt = new Map<number, number>();
  r.peaks.forEach((p) => peaksAt.set(p.index, (peaksAt.get(p.index) ?? 0) + 1));
  return {
    report: 'sync',
    context,
    summary: {
      layers: layers.length,
      top: options.top,
      synchronized: r.synchronized.length,
      ...baselineSummary(r, options),
    },
    tables: [
      { name: 'synchronized', columns: ['iteration'], rows: r.synchronized.map((t) => [iterations[t]]) },
      {
        name: 'peaks',
        columns: ['layer', 'rank', 'iteration', 'lca', 'synchronized'],
        rows: r.peaks.map((p) => [layers[p.layer], p.rank, iterations[p.index], p.lca, +(peaksAt.get(p.index) === layers.length)]),
      },
    ],
  };
}

/**
 * Per-class synchronization (Fig. 6): a series is class × layer (`class_3/fc_1` in `layer`), and an
 * iteration is synchronized for a class when all of that class's layers peak there.
 */
export function classSyncReport(r: GroupedSyncResult, layers: string[], iterations: number[], options: SyncOptions, context: Context): Report {
  const synchronized = r.groups.flatMap((g, c) => g.synchronized.map((t) => [c, iterations[t]]));
  return {
    report: 'sync',
    context,
    summary: {
      layers: layers.length,
      classes: r.groups.length,
      series: layers.length * r.groups.length,
      top: options.top,
      synchronized: synchronized.length,
      classes_synchronized: r.groups.filter((g) => g.synchronized.length > 0).length,
      ...baselineSummary(r, options),
    },
    tables: [
      { name: 'synchronized', columns: ['class', 'iteration'], rows: synchronized },
      {
        name: 'peaks',
        columns: ['layer', 'class', 'rank', 'iteration', 'lca', 'synchronized'],
        rows: r.groups.flatMap((g, c) => {
          const aligned = new Set(g.synchronized);
          return g.peaks.map((p) => [`class_${c}/${layers[p.layer]}`, c, p.rank, iterations[p.index], p.lca, +aligned.has(p.index)]);
        }),
      },
      { name: 'classes', columns: ['class', 'synchronized'], rows: r.groups.map((g, c) => [c, g.synchronized.length]) },
    ],
  };
}

const concentrationRow = (c: Concentration): Cell[] => [c.name, c.parameters, c.helping, c.hurting, c.gini_helped, c.gini_hurt, c.fraction_for_share];

export function concentrationReport(r: ConcentrationResult, context: Context): Report {
  return {
    report: 'concentration',
    context,
    summary: {
      share: r.share,
      gini_helped: r.overall.gini_helped,
      gini_hurt: r.overall.gini_hurt,
      fraction_for_share: r.overall.fraction_for_share,
      helping: r.overall.helping,
      hurting: r.overall.hurting,
    },
    tables: [{
      name: 'layers',
      columns: ['layer', 'parameters', 'helping', 'hurting', 'gini_helped', 'gini_hurt', 'fraction_for_share'],
      rows: [...r.layers.map(concentrationRow), concentrationRow(r.overall)],
    }],
  };
}

export function tailsReport(r: TailsResult, options: { seed: number }, context: Context): Report {
  return {
    report: 'tails',
    context,
    summary: {
      sigma: r.sigma,
      nonzero: r.nonzero,
      sample_size: r.sampleSize,
      seed: options.seed,
      weibull_helped_shape: r.helped.shape,
      weibull_helped_scale: r.helped.scale,
      weibull_hurt_shape: r.hurt.shape,
      weibull_hurt_scale: r.hurt.scale,
    },
    tables: [
      {
        name: 'tails',
        columns: ['cutoff', 'values', 'fraction_of_values', 'share', 'gaussian_share', 'ratio'],
        rows: r.tails.map((t) => [t.cutoff, t.values, t.fraction_of_values, t.share, t.gaussian_share, t.ratio]),
      },
      {
        name: 'weibull',
        columns: ['side', 'shape', 'scale', 'n'],
        rows: [['helped', r.helped.shape, r.helped.scale, r.helped.n], ['hurt', r.hurt.shape, r.hurt.scale, r.hurt.n]],
      },
    ],
  };
}
