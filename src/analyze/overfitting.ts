// Where training starts to overfit (the paper's future work): per iteration and layer, the training
// loss's LCA against the validation loss's (`lca compute --val`), the cells where a step helped the
// training loss but hurt the validation loss, their share, and the iteration from which the validation
// loss rises while the training loss falls. Definitions: docs/analysis.md, `overfitting`.
import type { Selection } from './groups.js';
import { variableTotal, type Fold, type LcaRow } from './rows.js';

/** The per-iteration series the analysis needs; every [T] array is indexed like `iterations`. */
export interface OverfittingSeries {
  layers: string[];
  iterations: number[];
  /** train[g][t], val[g][t]: layer g's LCA of the training and of the validation loss at row t, [G][T]. */
  train: Float64Array[];
  val: Float64Array[];
  /** L(θ_t) and L_val(θ_t) at the rows' starting iterates, and at θ_end. */
  loss: number[];
  valLoss: number[];
  endLoss: number;
  endValLoss: number;
  /** The iterate after the last row: θ_end, where endLoss is taken (rows may be blocks: --every). */
  end: number;
}

/** Reads the rows: the training LCA from the matrix, the validation LCA from its per-variable sums. */
export function overfittingFold({ variables, groups }: Selection, valColumn: (variable: string) => string): Fold<OverfittingSeries> {
  const s: OverfittingSeries = {
    layers: groups.map((g) => g.name), iterations: [], train: [], val: [], loss: [], valLoss: [],
    endLoss: Number.NaN, endValLoss: Number.NaN, end: 0,
  };
  const trainRows: Float64Array[] = [];
  const valRows: Float64Array[] = [];
  return {
    add(row: LcaRow) {
      const train = new Float64Array(groups.length);
      const val = new Float64Array(groups.length);
      groups.forEach((g, j) => {
        for (const k of g.members) {
          train[j] += variableTotal(row, k);
          val[j] += row.scalar(valColumn(variables[k].name));
        }
      });
      trainRows.push(train);
      valRows.push(val);
      s.iterations.push(row.iteration);
      s.loss.push(row.scalar('loss'));
      s.valLoss.push(row.scalar('val_loss'));
      s.endLoss = row.scalar('next_loss');
      s.endValLoss = row.scalar('val_next_loss');
      s.end = row.iteration + (row.span ?? 1);
    },
    result() {
      s.train = groups.map((_, j) => Float64Array.from(trainRows, (r) => r[j]));
      s.val = groups.map((_, j) => Float64Array.from(valRows, (r) => r[j]));
      return s;
    },
  };
}

/** Helped the training loss (LCA < 0) and hurt the validation loss (LCA > 0). */
export const disagrees = (train: number, val: number): boolean => train < 0 && val > 0;

export interface Disagreements {
  name: string;
  cells: number; // rows looked at
  disagreeing: number;
  /** Σ of the validation LCA over the disagreeing rows (> 0: validation loss they added). */
  valLcaDisagreeing: number;
  /** Σ of the positive validation LCA over all rows: every increase of the validation loss. */
  valHurt: number;
  trainLca: number;
  valLca: number;
}

function disagreements(name: string, train: ArrayLike<number>, val: ArrayLike<number>): Disagreements {
  const d: Disagreements = { name, cells: train.length, disagreeing: 0, valLcaDisagreeing: 0, valHurt: 0, trainLca: 0, valLca: 0 };
  for (let t = 0; t < train.length; t++) {
    d.trainLca += train[t];
    d.valLca += val[t];
    if (val[t] > 0) d.valHurt += val[t];
    if (disagrees(train[t], val[t])) {
      d.disagreeing++;
      d.valLcaDisagreeing += val[t];
    }
  }
  return d;
}

/** The iteration from which L_val rises for good while L falls, with how much each moved after it. */
export interface Onset {
  /** t* when it is the onset, else null. */
  iteration: number | null;
  /** t* = the first iterate where L_val(θ_t) is smallest over the range. */
  minIteration: number;
  valRise: number; // L_val(θ_end) − L_val(θ_t*)
  trainFall: number; // L(θ_t*) − L(θ_end)
  minValLoss: number;
}

/**
 * t* = argmin over the iterates θ_first … θ_{last+1} of L_val (earliest on ties). It is the onset when
 * the validation loss ends above it (t* is not the last iterate) while the training loss ends below
 * its value at t*; otherwise there is none and `iteration` is null.
 */
export function overfittingOnset(s: Pick<OverfittingSeries, 'iterations' | 'end' | 'loss' | 'valLoss' | 'endLoss' | 'endValLoss'>): Onset {
  const iterates = [...s.iterations, s.end];
  const val = [...s.valLoss, s.endValLoss];
  const train = [...s.loss, s.endLoss];
  let best = 0;
  for (let t = 1; t < val.length; t++) if (val[t] < val[best]) best = t;
  const end = val.length - 1;
  const valRise = val[end] - val[best];
  const trainFall = train[best] - train[end];
  const onset = best < end && valRise > 0 && trainFall > 0;
  return { iteration: onset ? iterates[best] : null, minIteration: iterates[best], valRise, trainFall, minValLoss: val[best] };
}

export interface OverfittingResult {
  series: OverfittingSeries;
  /** Per layer, over its rows; `network` the same for the sum of the selected layers at each row. */
  layers: Disagreements[];
  network: Disagreements;
  /** Over every (iteration, layer) cell. */
  cells: { cells: number; disagreeing: number; valLcaDisagreeing: number; valHurt: number };
  onset: Onset;
}

export function overfitting(series: OverfittingSeries): OverfittingResult {
  const layers = series.layers.map((name, g) => disagreements(name, series.train[g], series.val[g]));
  const sum = (pick: (d: Disagreements) => number) => layers.reduce((a, d) => a + pick(d), 0);
  const acrossLayers = (perLayer: Float64Array[]) => Float64Array.from(series.iterations, (_, t) => perLayer.reduce((a, l) => a + l[t], 0));
  return {
    series,
    layers,
    network: disagreements('all', acrossLayers(series.train), acrossLayers(series.val)),
    cells: { cells: sum((d) => d.cells), disagreeing: sum((d) => d.disagreeing), valLcaDisagreeing: sum((d) => d.valLcaDisagreeing), valHurt: sum((d) => d.valHurt) },
    onset: overfittingOnset(series),
  };
}
