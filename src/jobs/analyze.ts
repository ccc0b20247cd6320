// `lca analyze`: stream the stored LCA matrix through one report's fold and shape the result.
import { errorFold } from '../analyze/error.js';
import { helpedFold } from '../analyze/helped.js';
import { layersFold } from '../analyze/layers.js';
import type { Fold, LcaRow } from '../analyze/rows.js';
import { InputError } from '../errors.js';
import { DEFAULT_TOLERANCE, METHODS, type Method } from '../lca/integrate.js';
import type { Report } from '../report/format.js';
import { errorReport, helpedReport, layersReport } from '../report/tables.js';
import { lcaDir, listParts, readLcaBatches } from '../store/lca-parts.js';
import { openRowFile } from '../store/arrow-rows.js';
import { readManifest, type Manifest } from '../store/manifest.js';

export const REPORTS = ['helped', 'layers', 'error'] as const;
export type ReportName = (typeof REPORTS)[number];

export interface AnalyzeOptions {
  run: string;
  report: ReportName;
  method?: Method;
  /** Rows first … last; default every computed row. */
  iterations?: [number, number];
}

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

/** Feeds rows first … last of one method's matrix to a fold, batch by batch. */
async function foldRows<R>(run: string, method: Method, [first, last]: [number, number], fold: Fold<R>): Promise<R> {
  for await (const batch of readLcaBatches(lcaDir(run, method), first, last)) {
    const iterations = batch.scalar('iteration');
    const sizes: number[] = [];
    for (let r = 0; r < batch.numRows; r++) {
      if (iterations[r] < first || iterations[r] > last) continue;
      const row: LcaRow = {
        iteration: iterations[r],
        scalar: (name) => batch.scalar(name)[r],
        variable: (k) => {
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
  const variables = manifest.model.variables;
  switch (options.report) {
    case 'helped':
      return helpedReport(await foldRows(run, method, range, helpedFold(variables)), where);
    case 'layers':
      return layersReport(await foldRows(run, method, range, layersFold(variables)), where);
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
