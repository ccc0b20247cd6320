// `lca analyze`: stream the stored LCA matrix (and, for oscillations, the weights) through one
// report's fold and shape the result; across runs, one fold per run and statistics over them.
import { describeBackend, describeStoredBackend } from '../backend/names.js';
import { across, checkSameVariables, type Across } from '../analyze/across.js';
import { concentrationFold } from '../analyze/concentration.js';
import { errorFold } from '../analyze/error.js';
import { selectVariables, type Merge, type Selection } from '../analyze/groups.js';
import { helpedFold } from '../analyze/helped.js';
import { layersFold } from '../analyze/layers.js';
import { neuronsFold } from '../analyze/neurons.js';
import { directionChangeCounter, oscillationRates, signChangeFold, type SignChanges } from '../analyze/oscillations.js';
import type { Fold, LcaRow } from '../analyze/rows.js';
import { classLayerFold, groupedSynchronization, synchronization } from '../analyze/sync.js';
import { secondMomentFold, tailsFold } from '../analyze/tails.js';
import { InputError, UsageError } from '../errors.js';
import { DEFAULT_TOLERANCE, METHODS, type Method } from '../lca/integrate.js';
import { describeSubset } from '../lca/subset.js';
import type { Report } from '../report/format.js';
import { classSyncReport, concentrationReport, syncReport, tailsReport } from '../report/analyses.js';
import { acrossRunsReport, errorReport, helpedReport, layersReport, neuronsReport, oscillationsReport } from '../report/tables.js';
import { lcaDir, listParts, readLcaBatches } from '../store/lca-parts.js';
import { openRowFile, type RowBatch } from '../store/arrow-rows.js';
import { gradientsDir, hasGradients, readGradientBatches } from '../store/gradients.js';
import { isSynthetic, readManifest, type Manifest } from '../store/manifest.js';
import { rowsContext } from '../store/steps.js';
import { readIterates } from '../store/weights.js';

export const REPORTS = ['helped', 'layers', 'error', 'sync', 'concentration', 'tails', 'oscillations', 'neurons'] as const;
export type ReportName = (typeof REPORTS)[number];

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
}

export const ANALYSIS_DEFAULTS = { merge: 'bias' as Merge, top: 20, neuronsTop: 5, draws: 1000, seed: 0, sample: 100_000 };

// When several methods were computed, the most accurate one speaks for the run.
const PREFERENCE: readonly Method[] = ['adaptive', 'simpson', 'first-order'];

const computedMethods = (run: string): Method[] => METHODS.filter((m) => listParts(lcaDir(run, m)).length > 0);

/** The requested method if it was computed, else the most accurate computed one; `lca plot` shares it. */
export function chooseMethod(run: string, requested: Method | undefined): Method {
  const available = computedMethods(run);
  if (requested) {
    if (!available.includes(requested)) throw new InputError(`${run}: no LCA computed with --method ${requested} (have: ${available.join(', ') || 'none'})`);
    return requested;
  }
  const method = PREFERENCE.find((m) => available.includes(m));
  if (!method) throw new InputError(`${run}: no LCA computed yet; run \`lca compute --run ${run}\` first`);
  return method;
}

function coveredRange(run: string, method: Method, requested: [number, number] | undefined, manifest: Manifest): [number, number] {
  if (requested) return [requested[0], Math.min(requested[1], manifest.training.iterations - 1)];
  const parts = listParts(lcaDir(run, method));
  return [parts[0].first, parts[parts.length - 1].last];
}

/**
 * Feeds the rows first … last of a stream of row batches (LCA parts, or saved gradients) to a fold.
 * With a selection, the fold's variable k is the selection's k-th variable.
 */
async function foldBatches<R>(batches: AsyncIterable<RowBatch>, [first, last]: [number, number], fold: Fold<R>, selection?: Selection): Promise<R> {
  const source = selection?.source;
  for await (const batch of batches) {
    const iterations = batch.scalar('iteration');
    const sizes: number[] = [];
    for (let r = 0; r < batch.numRows; r++) {
      if (iterations[r] < first || iterations[r] > last) continue;
      const row: LcaRow = {
        iteration: iterations[r],
        scalar: (name) => batch.scalar(name)[r],
        variable: (index) => {
          const k = source ? source[index] : index;
          sizes[k] ??= batch.vector(k).length / batch.numRows;
          return batch.vector(k).subarray(r * sizes[k], (r + 1) * sizes[k]);
        },
      };
      fold.add(row);
    }
  }
  return fold.result();
}

/** Feeds rows first … last of one method's matrix to a fold, batch by batch. */
const foldRows = <R>(run: string, method: Method, range: [number, number], fold: Fold<R>, selection?: Selection): Promise<R> =>
  foldBatches(readLcaBatches(lcaDir(run, method), range[0], range[1]), range, fold, selection);

interface StoredSettings {
  tolerance: number;
  val: boolean;
  backend: string;
  /** Classes with per-class columns (0 without --per-class). */
  classes: number;
  /** N of an approximate compute on N training examples, else null. */
  subset: number | null;
}

async function computeSettings(run: string, method: Method): Promise<StoredSettings> {
  const reader = await openRowFile(listParts(lcaDir(run, method))[0].file);
  await reader.close();
  const settings = JSON.parse(reader.metadata.get('lca.compute') ?? '{}') as { tolerance?: number; val?: boolean; subset?: number | null };
  const classCounts = JSON.parse(reader.metadata.get('lca.class_counts') ?? '[]') as number[];
  return { tolerance: settings.tolerance ?? DEFAULT_TOLERANCE, val: settings.val ?? false, backend: describeStoredBackend(reader.metadata.get('lca.backend')), classes: classCounts.length, subset: settings.subset ?? null };
}

function context(run: string, manifest: Manifest, method: Method, range: [number, number], settings: StoredSettings) {
  return {
    run,
    model: manifest.model.name,
    dataset: manifest.dataset.name,
    // Generated data says so in every report: its numbers say nothing about a real dataset.
    ...(isSynthetic(manifest) ? { synthetic: 'yes' } : {}),
    train_backend: describeBackend(manifest.backend),
    compute_backend: settings.backend,
    method,
    range: `${range[0]}:${range[1] + 1}`,
    // Sparse checkpoints (lca import): a row is k training steps, not one iteration.
    ...rowsContext(manifest),
    // An approximate LCA says so wherever its numbers go (lca compute --subset).
    ...(settings.subset !== null ? { subset: describeSubset({ count: settings.subset, of: manifest.dataset.train_count }) } : {}),
  };
}

interface OpenRun {
  manifest: Manifest;
  method: Method;
  range: [number, number];
  settings: StoredSettings;
  where: ReturnType<typeof context>;
  selection: Selection;
  fold: <R>(f: Fold<R>) => Promise<R>;
}

async function openRun(run: string, options: Omit<AnalyzeOptions, 'run' | 'report'>): Promise<OpenRun> {
  const manifest = readManifest(run);
  const method = chooseMethod(run, options.method);
  const range = coveredRange(run, method, options.iterations, manifest);
  const settings = await computeSettings(run, method);
  const where = context(run, manifest, method, range, settings);
  const selection = selectVariables(manifest.model.variables, options.merge ?? ANALYSIS_DEFAULTS.merge, options.layers);
  return { manifest, method, range, settings, where, selection, fold: (f) => foldRows(run, method, range, f, selection) };
}

// Gradient sign changes (the original's "gradient crosses 0", conventions §8.2) need ∇L at every θ_t.
const GRADIENTS_NOTE = 'needs lca compute --save-gradients';

/** Weight direction changes over θ_first … θ_{last+1} and LCA sign changes over rows first … last. */
async function oscillations(run: string, open: OpenRun) {
  const { manifest, selection, range } = open;
  const offsets = selection.source.map((k) => manifest.model.variables[k].offset);
  const weights = directionChangeCounter(selection, offsets);
  for await (const iterate of readIterates(run, manifest, range[0], range[1] + 1)) weights.add(iterate.theta);
  const lca = await open.fold(signChangeFold(selection));
  // ∇L(θ_t) at the rows' starting iterates t = a … b−1: as many values as there are movements and LCA rows.
  const gradients = hasGradients(run, open.method)
    ? await foldBatches(readGradientBatches(gradientsDir(run, open.method), range[0], range[1]), range, signChangeFold(selection), selection)
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

export async function runAnalysis(options: AnalyzeOptions): Promise<Report> {
  const { run } = options;
  const open = await openRun(run, options);
  const { manifest, method, range, settings, where, selection, fold } = open;
  const seed = options.seed ?? ANALYSIS_DEFAULTS.seed;
  switch (options.report) {
    case 'oscillations':
      return oscillations(run, open);
    case 'neurons':
      return neuronsReport(await fold(neuronsFold(selection)), options.top ?? ANALYSIS_DEFAULTS.neuronsTop, where);
    case 'helped':
      return helpedReport(await fold(helpedFold(selection)), where);
    case 'layers':
      return layersReport(await fold(layersFold(selection)), where);
    case 'sync': {
      const sync = { top: options.top ?? ANALYSIS_DEFAULTS.top, draws: options.draws ?? ANALYSIS_DEFAULTS.draws, seed };
      if (settings.classes > 0) { // per class × layer, as the paper's Fig. 6
        const perClass = await fold(classLayerFold(selection, settings.classes));
        const result = groupedSynchronization(perClass.series, { ...sync, maxShift: 2 });
        return classSyncReport(result, selection.groups.map((g) => g.name), perClass.iterations, sync, { ...where, lca: 'per-class' });
      }
      const layers = await fold(layersFold(selection));
      const result = synchronization(layers.series, { ...sync, maxShift: 2 });
      return syncReport(result, layers.layers.map((l) => l.name), layers.iterations, sync, where);
    }
    case 'concentration':
      return concentrationReport(await fold(concentrationFold(selection)), where);
    case 'tails': {
      const { sigma, nonzero } = await fold(secondMomentFold(selection));
      const sampleSize = options.sample ?? ANALYSIS_DEFAULTS.sample;
      return tailsReport(await fold(tailsFold(selection, sigma, nonzero, { sampleSize, seed })), { seed }, where);
    }
    case 'error': {
      const result = await foldRows(run, method, range, errorFold(settings.tolerance, settings.val));
      const others = [];
      for (const m of computedMethods(run)) {
        others.push({ method: m, result: m === method ? result : await foldRows(run, m, coveredRange(run, m, options.iterations, manifest), errorFold(settings.tolerance, false)) });
      }
      return errorReport(result, where, others);
    }
  }
}

/** Reports that have a form across runs (paper Table 1: helped; Fig. 4 and Section 4: layers). */
export const ACROSS_REPORTS: readonly ReportName[] = ['helped', 'layers'];

export interface AcrossOptions extends Omit<AnalyzeOptions, 'run'> {
  runs: string[];
  /** A second group for Welch's test (--vs); empty for mean ± std and one-sample tests only. */
  vs: string[];
}

/** The next_loss of the last row in the range: the training loss where the range ends. */
async function finalLoss(run: string, open: OpenRun): Promise<number> {
  let loss = Number.NaN;
  return foldRows(run, open.method, [open.range[1], open.range[1]], { add: (row) => (loss = row.scalar('next_loss')), result: () => loss });
}

/** One run's numbers by name: helped's summary numbers, or each layer's total LCA plus the final loss. */
async function runNumbers(run: string, open: OpenRun, report: ReportName): Promise<Map<string, number>> {
  if (report === 'helped') {
    const { parameters: _, ...summary } = helpedReport(await open.fold(helpedFold(open.selection)), open.where).summary;
    return new Map(Object.entries(summary).map(([k, v]) => [k, Number(v)]));
  }
  const layers = await open.fold(layersFold(open.selection));
  return new Map([...layers.layers.map((l): [string, number] => [l.name, l.lca]), ['total_lca', layers.total], ['final_loss', await finalLoss(run, open)]]);
}

const distinct = (values: readonly (string | number | null)[]) => [...new Set(values)].join(', ');

export async function runAcrossRuns(options: AcrossOptions): Promise<Report> {
  const { report, runs, vs } = options;
  if (!ACROSS_REPORTS.includes(report)) {
    throw new UsageError(`--report ${report}: statistics across runs (several --run, or --vs) exist for ${ACROSS_REPORTS.join(' and ')} only`);
  }
  const all = [...runs, ...vs];
  const opened: OpenRun[] = [];
  for (const run of all) opened.push(await openRun(run, options));
  checkSameVariables(all.map((run, i) => ({ run, variables: opened[i].manifest.model.variables })));
  const numbers: Map<string, number>[] = [];
  for (let i = 0; i < all.length; i++) numbers.push(await runNumbers(all[i], opened[i], report));
  const first = numbers.slice(0, runs.length);
  const second = numbers.slice(runs.length);
  const stat = (name: string, testZero: boolean): Across =>
    across(name, first.map((m) => m.get(name) ?? Number.NaN), second.length > 0 ? second.map((m) => m.get(name) ?? Number.NaN) : undefined, testZero);
  const names = [...numbers[0].keys()];
  const layerNames = names.filter((n) => n !== 'total_lca' && n !== 'final_loss');
  const where = {
    run: runs.join(', '), // as a single run's context; the summary's `runs` is their number
    ...(vs.length > 0 ? { vs: vs.join(', ') } : {}),
    model: distinct(opened.map((o) => o.where.model)),
    dataset: distinct(opened.map((o) => o.where.dataset)),
    compute_backend: distinct(opened.map((o) => o.where.compute_backend)),
    method: distinct(opened.map((o) => o.method)),
    range: distinct(opened.map((o) => o.where.range)),
    ...(opened.some((o) => 'subset' in o.where) ? { subset: distinct(opened.map((o) => ('subset' in o.where ? o.where.subset! : 'all'))) } : {}),
  };
  return acrossRunsReport(report === 'helped'
    ? { report, runs, vs, statistics: names.map((n) => stat(n, false)) }
    : { report: 'layers', runs, vs, statistics: layerNames.map((n) => stat(n, true)), loss: [stat('final_loss', false), stat('total_lca', true)] }, where);
}
