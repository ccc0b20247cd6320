// `lca analyze`: stream the stored LCA matrix (and, for oscillations and helped, the weights) through one
// report's fold and shape the result (across runs: analyze-across.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter } from './reporter.js';
import { describeBackend } from '../backend/names.js';
import { concentrationFold } from '../analyze/concentration.js';
import { errorFold } from '../analyze/error.js';
import { groundingOfRows, groundingWarning, type Grounding } from '../analyze/grounding-check.js';
import { selectVariables, type Merge, type Selection } from '../analyze/groups.js';
import { helpedFold } from '../analyze/helped.js';
import { stillCounter, type StillCounts } from '../analyze/still.js';
import { layersFold } from '../analyze/layers.js';
import { REPORT_NEEDS, type ReportName } from '../analyze/report-names.js';
import { neuronsFold } from '../analyze/neurons.js';
import { directionChangeCounter, oscillationRates, signChangeFold, type SignChanges } from '../analyze/oscillations.js';
import { sumValues, type Fold, type LcaRow } from '../analyze/rows.js';
import type { Store } from '../lca/aggregate.js';
import { classLayerFold, groupedSynchronization, synchronization } from '../analyze/sync.js';
import { secondMomentFold, tailsFold } from '../analyze/tails.js';
import { InputError } from '../errors.js';
import type { Method } from '../lca/integrate.js';
import { describeSubset } from '../lca/subset.js';
import type { Report } from '../report/format.js';
import { freezeAnalysis, overfittingAnalysis } from './act-reports.js';
import { classSyncReport, concentrationReport, syncReport, tailsReport } from '../report/analyses.js';
import { errorReport, helpedReport, layersReport, neuronsReport, oscillationsReport } from '../report/tables.js';
import type { RowBatch } from '../store/arrow-rows.js';
import { ComputedRun, nonFiniteRows, rowsIn, storeContext, type ScalarRow } from '../store/computed-run.js';
import { gradientsDir, readGradientBatches } from '../store/gradients.js';
import { isSynthetic } from '../store/manifest.js';
import { rowsContext } from '../store/steps.js';
import { classVariableColumn } from '../store/per-class-columns.js';
import { readIterates } from '../store/weights.js';


export interface AnalyzeOptions {
  run: string;
  report: ReportName;
  method?: Method;
  /** Rows first … last; default every computed row. */
  iterations?: [number, number];
  /** Glob over variable and layer names (src/util/glob.ts); default every variable. */
  layers?: string;
  merge?: Merge;
  /** sync: peaks kept per layer (paper: 20); neurons: units listed per side (default 5); baseline draws, seed; tails: the reservoir's seed too. */
  top?: number;
  draws?: number;
  seed?: number;
  /** tails: reservoir sample size. */
  sample?: number;
  /** freeze: the band's half-width as a fraction of the mean |per-iteration LCA| (docs/analysis.md). */
  band?: number;
  /** Where a partly computed run is said to be partial (stderr); silent when absent. */
  reporter?: Reporter;
}

export const ANALYSIS_DEFAULTS = { merge: 'bias' as Merge, top: 20, neuronsTop: 5, draws: 1000, seed: 0, sample: 100_000, band: 0.01 };

/** What the batches' rows hold (`lca compute --store`, `--every`): variable names find the `layers` sums, T ends the last block. */
interface StoredRows {
  store: Store;
  every: number;
  names: readonly string[];
  T: number;
}

const EVERY_PARAMETER: StoredRows = { store: 'full', every: 1, names: [], T: Infinity };

/**
 * Feeds the rows first … last of a stream of row batches (LCA parts, or saved gradients) to a fold.
 * With a selection, the fold's variable k is the selection's k-th variable. Aggregated parts give the
 * folds sums (and per-unit sums) only: reports are gated on the store before they fold (REPORT_NEEDS).
 */
async function foldBatches<R>(batches: AsyncIterable<RowBatch>, range: [number, number], fold: Fold<R>, selection?: Selection, stored = EVERY_PARAMETER): Promise<R> {
  const source = selection?.source;
  const column = (index: number) => (source ? source[index] : index);
  for await (const { batch, r, iteration } of rowsIn(batches, range)) {
    const vector = (k: number) => {
      const size = batch.vector(k).length / batch.numRows;
      return batch.vector(k).subarray(r * size, (r + 1) * size);
    };
    const row: LcaRow = {
      iteration,
      span: Math.min(stored.every, stored.T - iteration),
      scalar: (name) => batch.scalar(name)[r],
      variable: (index) => {
        if (stored.store !== 'full') throw new Error(`a fold asked for every parameter of --store ${stored.store} parts`);
        return vector(column(index));
      },
      ...(stored.store === 'layers' ? { variableSum: (index: number) => batch.scalar(stored.names[column(index)])[r] } : {}),
      ...(stored.store === 'units' ? { units: (index: number) => vector(column(index)), variableSum: (index: number) => sumValues(vector(column(index))) } : {}),
    };
    fold.add(row);
  }
  return fold.result();
}

/** Feeds a fold that reads only per-iteration columns (error, loss) without decoding the T×K matrix. */
function foldScalars<R>(rows: Iterable<ScalarRow>, fold: Fold<R>): R {
  const noVectors = () => {
    throw new Error('a scalars-only fold asked for LCA vectors');
  };
  for (const row of rows) fold.add({ iteration: row.iteration, span: row.span, scalar: row.scalar, variable: noVectors });
  return fold.result();
}

function context(computed: ComputedRun) {
  const { run, manifest, method, range, settings } = computed;
  const nonFinite = nonFiniteRows(computed.parts, range);
  return {
    run,
    model: manifest.model.name,
    dataset: manifest.dataset.name,
    // Generated data says so in every report: its numbers say nothing about a real dataset.
    ...(isSynthetic(manifest) ? { synthetic: 'yes' } : {}),
    train_backend: describeBackend(manifest.backend),
    compute_backend: computed.computeBackend,
    method,
    range: `${range[0]}:${range[1] + 1}`,
    // Sparse checkpoints (lca import): a row is k training steps, not one iteration.
    ...rowsContext(manifest),
    // An approximate LCA says so wherever its numbers go (lca compute --subset).
    ...(settings.subset !== null ? { subset: describeSubset({ count: settings.subset, of: manifest.dataset.train_count }) } : {}),
    // Aggregated parts (lca compute --store, --every): what a row holds and how many iterations it sums.
    ...storeContext(settings),
    // Rows of a diverged training (NaN or Inf) make every sum over them NaN: name them.
    ...(nonFinite ? { non_finite_rows: nonFinite } : {}),
  };
}

export interface OpenRun {
  computed: ComputedRun;
  where: ReturnType<typeof context>;
  selection: Selection;
  fold: <R>(f: Fold<R>) => Promise<R>;
  /** The rows' grounding, known after the first fold. */
  grounding?: Grounding;
}

export async function openRun(run: string, options: Omit<AnalyzeOptions, 'run' | 'report'>): Promise<OpenRun> {
  const computed = await ComputedRun.open(run, { method: options.method, iterations: options.iterations });
  const rows = computed.manifest.training.iterations;
  if (!options.iterations && (computed.range[0] > 0 || computed.range[1] < rows - 1)) {
    options.reporter?.warn(`${run}: LCA is computed for iterations ${computed.range[0]}:${computed.range[1] + 1} of 0:${rows} only; this report covers those`);
  }
  const { variables } = computed.manifest.model;
  const selection = selectVariables(variables, options.merge ?? ANALYSIS_DEFAULTS.merge, options.layers);
  const stored: StoredRows = { store: computed.store, every: computed.every, names: variables.map((v) => v.name), T: rows };
  return { computed, where: context(computed), selection, fold: (f) => foldBatches(computed.batches(), computed.range, f, selection, stored) };
}

// Gradient sign changes (the original's "gradient crosses 0", conventions §8.2) need ∇L at every θ_t.
const GRADIENTS_NOTE = 'needs lca compute --save-gradients';

/** Weight direction changes over θ_first … θ_{last+1} and LCA sign changes over rows first … last. */
async function oscillations(open: OpenRun) {
  const { selection, computed: { run, manifest, method, range } } = open;
  const offsets = selection.source.map((k) => manifest.model.variables[k].offset);
  const weights = directionChangeCounter(selection, offsets);
  for await (const iterate of readIterates(run, manifest, range[0], range[1] + 1)) weights.add(iterate.theta);
  const lca = await open.fold(signChangeFold(selection));
  // ∇L(θ_t) at the rows' starting iterates t = a … b−1: as many values as there are movements and LCA rows.
  const gradients = (await open.computed.gradientParts()).length > 0
    ? await foldBatches(readGradientBatches(gradientsDir(run, method), range[0], range[1]), range, signChangeFold(selection), selection)
    : null;
  const w = weights.result();
  const vars = selection.variables;
  const rates = (names: string[], members: number[][], parameters: number[]) => (counts: SignChanges) => oscillationRates(names, members, parameters, counts);
  const byLayer = rates(selection.groups.map((g) => g.name), selection.groups.map((g) => g.members), selection.groups.map((g) => g.parameters));
  const byVariable = rates(vars.map((v) => v.name), vars.map((_, k) => [k]), vars.map((v) => v.size));
  const all = rates(['all'], [vars.map((_, k) => k)], [vars.reduce((n, v) => n + v.size, 0)]);
  return oscillationsReport({
    iterations: w.rows,
    all: { weights: all(w)[0], lca: all(lca)[0] },
    layers: { weights: byLayer(w), lca: byLayer(lca) },
    variables: { weights: byVariable(w), lca: byVariable(lca) },
    gradients: gradients ? { all: all(gradients)[0], layers: byLayer(gradients), variables: byVariable(gradients) } : GRADIENTS_NOTE,
  }, open.where);
}

/** Δθ = 0 counts over the range from weights.arrow (null for a run without it: then zeros are not split). */
async function stillCounts(open: OpenRun): Promise<StillCounts | null> {
  const { selection, computed: { run, manifest, range } } = open;
  if (!fs.existsSync(path.join(run, manifest.files.weights))) return null;
  const counter = stillCounter(selection, selection.source.map((k) => manifest.model.variables[k].offset));
  for await (const iterate of readIterates(run, manifest, range[0], range[1] + 1)) counter.add(iterate.theta);
  return counter.result();
}

/** The grounding of the rows analysed, from their per-iteration columns only (no T×K read). */
export function groundingOf(computed: ComputedRun): Grounding {
  return groundingOfRows(computed.scalarRows(), computed.settings.tolerance);
}

/**
 * Why these parts cannot give `report`, in one line, or null: reports gated on the store (REPORT_NEEDS),
 * and oscillations, which counts weight direction changes per iteration against LCA sign changes per row.
 */
export function reportLacks(computed: ComputedRun, report: ReportName): string | null {
  const what = `analyze --report ${report}`;
  return computed.storeLacks(REPORT_NEEDS[report], what) ?? (report === 'oscillations' ? computed.blocksLack(what) : null);
}

/** A report on one run, with a warning when its rows are poorly grounded (issue 13: bad grounding must not go unflagged). */
export async function runAnalysis(options: AnalyzeOptions): Promise<Report> {
  const open = await openRun(options.run, options);
  const report = await analysis(options, open);
  const warning = groundingWarning(groundingOf(open.computed));
  return warning ? { ...report, warnings: [...(report.warnings ?? []), warning] } : report;
}

async function analysis(options: AnalyzeOptions, open: OpenRun): Promise<Report> {
  const { computed, where, selection, fold } = open;
  const lacks = reportLacks(computed, options.report);
  if (lacks) throw new InputError(lacks);
  const classes = computed.classCounts.length;
  const seed = options.seed ?? ANALYSIS_DEFAULTS.seed;
  switch (options.report) {
    case 'oscillations':
      return oscillations(open);
    case 'neurons':
      return neuronsReport(await fold(neuronsFold(selection)), options.top ?? ANALYSIS_DEFAULTS.neuronsTop, where);
    case 'helped':
      return helpedReport(await fold(helpedFold(selection)), where, await stillCounts(open));
    case 'layers':
      return layersReport(await fold(layersFold(selection)), where);
    case 'sync': {
      const sync = { top: options.top ?? ANALYSIS_DEFAULTS.top, draws: options.draws ?? ANALYSIS_DEFAULTS.draws, seed };
      if (classes > 0) { // per class × layer, as the paper's Fig. 6
        const perClass = await fold(classLayerFold(selection, classes, classVariableColumn));
        const result = groupedSynchronization(perClass.series, { ...sync, maxShift: 2 });
        return classSyncReport(result, selection.groups.map((g) => g.name), perClass.iterations, sync, { ...where, lca: 'per-class' });
      }
      const layers = await fold(layersFold(selection));
      const result = synchronization(layers.series, { ...sync, maxShift: 2 });
      return syncReport(result, layers.layers.map((l) => l.name), layers.iterations, sync, where);
    }
    case 'overfitting':
      return overfittingAnalysis(open);
    case 'freeze':
      return freezeAnalysis(open, options.band ?? ANALYSIS_DEFAULTS.band);
    case 'concentration':
      return concentrationReport(await fold(concentrationFold(selection)), where);
    case 'tails': {
      const { sigma, nonzero } = await fold(secondMomentFold(selection));
      const sampleSize = options.sample ?? ANALYSIS_DEFAULTS.sample;
      return tailsReport(await fold(tailsFold(selection, sigma, nonzero, { sampleSize, seed })), { seed }, where);
    }
    case 'error': {
      const { tolerance, val } = computed.settings;
      const result = foldScalars(computed.scalarRows(), errorFold(tolerance, val));
      const others = (await computed.others(options.iterations)).map((other) =>
        ({ method: other.method, result: other === computed ? result : foldScalars(other.scalarRows(), errorFold(tolerance, false)) }));
      return errorReport(result, where, others);
    }
  }
}
