// Reports that turn LCA into advice with a number to check (issue 12): where a run starts to overfit
// and which layers could have been frozen. Column names are stable (docs/formats.md, docs/analysis.md).
import type { FreezeResult } from '../analyze/freeze.js';
import { disagrees, type Disagreements, type OverfittingResult } from '../analyze/overfitting.js';
import type { Cell, Report } from './format.js';

type Context = Record<string, Cell>;

const ratio = (a: number, b: number): Cell => (b === 0 ? null : a / b);

const disagreementRow = (d: Disagreements): Cell[] =>
  [d.name, d.trainLca, d.valLca, d.disagreeing, d.cells, ratio(d.disagreeing, d.cells), d.valLcaDisagreeing, ratio(d.valLcaDisagreeing, d.valHurt)];

export function overfittingReport(r: OverfittingResult, context: Context): Report {
  const { series, onset, cells, network } = r;
  return {
    report: 'overfitting',
    context,
    summary: {
      onset_iteration: onset.iteration,
      min_val_iteration: onset.minIteration,
      min_val_loss: onset.minValLoss,
      val_rise_after_onset: onset.valRise,
      train_fall_after_onset: onset.trainFall,
      disagreeing_cells: cells.disagreeing,
      cells: cells.cells,
      fraction_disagreeing: ratio(cells.disagreeing, cells.cells),
      val_lca_disagreeing: cells.valLcaDisagreeing,
      share_of_val_hurt: ratio(cells.valLcaDisagreeing, cells.valHurt),
      disagreeing_iterations: network.disagreeing,
      share_of_val_hurt_by_iterations: ratio(network.valLcaDisagreeing, network.valHurt),
    },
    tables: [
      {
        name: 'layers',
        columns: ['layer', 'train_lca', 'val_lca', 'disagreeing', 'iterations', 'fraction_disagreeing', 'val_lca_disagreeing', 'share_of_val_hurt'],
        rows: [...r.layers.map(disagreementRow), disagreementRow(network)],
      },
      {
        name: 'iterations',
        columns: ['iteration', 'layer', 'train_lca', 'val_lca', 'disagree'],
        rows: series.iterations.flatMap((iteration, t) => series.layers.map((layer, g) => [iteration, layer, series.train[g][t], series.val[g][t], +disagrees(series.train[g][t], series.val[g][t])])),
      },
      {
        name: 'losses',
        columns: ['iteration', 'loss', 'val_loss'],
        rows: [...series.iterations.map((iteration, t) => [iteration, series.loss[t], series.valLoss[t]]),
          ...(series.iterations.length > 0 ? [[series.end, series.endLoss, series.endValLoss]] : [])],
      },
    ],
  };
}

export function freezeReport(r: FreezeResult, band: number, context: Context): Report {
  const saved = r.layers.reduce((a, l) => a + l.flopsSaved, 0);
  return {
    report: 'freeze',
    context,
    summary: {
      band,
      epsilon: r.epsilon,
      total_lca: r.total,
      training_flops: r.trainingFlops,
      layers_frozen: r.layers.filter((l) => l.frozenFrom !== null).length,
      flops_saved: saved,
      fraction_saved: ratio(saved, r.trainingFlops),
    },
    tables: [{
      name: 'layers',
      columns: ['layer', 'lca', 'frozen_from', 'iterations_frozen', 'lca_after', 'share_of_layer', 'share_of_total',
        'flops_saved', 'flops_saved_max', 'fraction_saved', 'fraction_saved_max'],
      rows: r.layers.map((l) => [l.name, l.lca, l.frozenFrom, l.iterationsFrozen, l.lcaAfter, ratio(l.lcaAfter, l.lca), ratio(l.lcaAfter, r.total),
        l.flopsSaved, l.flopsSavedMax, ratio(l.flopsSaved, r.trainingFlops), ratio(l.flopsSavedMax, r.trainingFlops)]),
    }],
  };
}
