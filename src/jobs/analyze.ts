// `lca analyze`: stream the stored LCA matrix through one report's fold and shape the result.
import { concentrationFold } from '../analyze/concentration.js';
import { errorFold } from '../analyze/error.js';
import { selectVariables, type Merge, type Selection } from '../analyze/groups.js';
import { helpedFold } from '../analyze/helped.js';
import { layersFold } from '../analyze/layers.js';
import type { Fold, LcaRow } from '../analyze/rows.js';
import { synchronization } from '../analyze/sync.js';
import { secondMomentFold, tailsFold } from '../analyze/tails.js';
import { InputError } from '../errors.js';
import { DEFAULT_TOLERANCE, METHODS, type Method } from '../lca/integrate.js';
import type { Report } from '../report/format.js';
import { concentrationReport, syncReport, tailsReport } from '../report/analyses.js';
import { errorReport, helpedReport, layersReport } from '../report/tables.js';
import { lcaDir, listParts, readLcaBatches } from '../store/lca-parts.js';
import { openRowFile } from '../store/arrow-rows.js';
import { readManifest, type Manifest } from '../store/manifest.js';

export const REPORTS = ['helped', 'layers', 'error', 'sync', 'concentration', 'tails'] as const;
export type ReportName = (typeof REPORTS)[number];

export interface AnalyzeOptions {
  run: string;
  report: ReportName;
  method?: Method;
  /** Rows first … last; default every computed row. */
  iterations?: [number, number];
  /** Glob over variable and layer names (src/analyze/glob.ts); default every variable. */
  layers?: string;
  merge?: Merge;
  /** sync: peaks kept per layer (paper: 20), baseline draws, seed; tails: the reservoir's seed too. */
  top?: number;
  draws?: number;
  seed?: number;
  /** tails: reservoir sample size. */
  sample?: number;
}

export const ANALYSIS_DEFAULTS = { merge: 'bias' as Merge, top: 20, draws: 1000, seed: 0, sample: 100_000 };

// When several methods were computed, the most accurate one speaks for the run.
const PREFERENCE: readonly Method[] = ['adaptive', 'simpson', 'first-order'];

const computedMethods = (run: string): Method[] => METHODS.filter((m) => listParts(lcaDir(run, m)).length > 0);

function chooseMethod(run: string, requested: Method | undefined): Method {
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
 * Feeds rows first … last of one method's matrix to a fold, batch by batch. With a selection, the
 * fold's variable k is the selection's k-th variable.
 */
async function foldRows<R>(run: string, method: Method, [first, last]: [number, number], fold: Fold<R>, selection?: Selection): Promise<R> {
  const source = selection?.source;
  for await (const batch of readLcaBatches(lcaDir(run, method), first, last)) {
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

async function computeSettings(run: string, method: Method): Promise<{ tolerance: number; val: boolean; backend: string }> {
  const reader = await openRowFile(listParts(lcaDir(run, method))[0].file);
  await reader.close();
  const settings = JSON.parse(reader.metadata.get('lca.compute') ?? '{}') as { tolerance?: number; val?: boolean };
  const backend = JSON.parse(reader.metadata.get('lca.backend') ?? '{}') as { name?: string };
  return { tolerance: settings.tolerance ?? DEFAULT_TOLERANCE, val: settings.val ?? false, backend: backend.name ?? 'unknown' };
}

function context(run: string, manifest: Manifest, method: Method, range: [number, number], computeBackend: string) {
  return {
    run,
    model: manifest.model.name,
    dataset: manifest.dataset.name,
    train_backend: manifest.backend.name,
    compute_backend: computeBackend,
    method,
    range: `${range[0]}:${range[1] + 1}`,
  };
}

export async function runAnalysis(options: AnalyzeOptions): Promise<Report> {
  const { run } = options;
  const manifest = readManifest(run);
  const method = chooseMethod(run, options.method);
  const range = coveredRange(run, method, options.iterations, manifest);
  const settings = await computeSettings(run, method);
  const where = context(run, manifest, method, range, settings.backend);
  const selection = selectVariables(manifest.model.variables, options.merge ?? ANALYSIS_DEFAULTS.merge, options.layers);
  const fold = <R>(f: Fold<R>) => foldRows(run, method, range, f, selection);
  const seed = options.seed ?? ANALYSIS_DEFAULTS.seed;
  switch (options.report) {
    case 'helped':
      return helpedReport(await fold(helpedFold(selection)), where);
    case 'layers':
      return layersReport(await fold(layersFold(selection)), where);
    case 'sync': {
      const layers = await fold(layersFold(selection));
      const sync = { top: options.top ?? ANALYSIS_DEFAULTS.top, draws: options.draws ?? ANALYSIS_DEFAULTS.draws, seed };
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
