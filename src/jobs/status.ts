// `lca status`: what a run holds — the training, and per computed method the rows computed (ranges, parts),
// the rows missing, and how well the computed rows are grounded so far. Reads only; safe to run
// while computes or shards are writing (a part is visible only once complete).
import fs from 'node:fs';
import path from 'node:path';
import { errorFold } from '../analyze/error.js';
import { describeBackend } from '../backend/names.js';
import { groundingWarning } from '../analyze/grounding-check.js';
import { DEFAULT_TOLERANCE, METHODS } from '../lca/integrate.js';
import { rowCount } from '../lca/schedule.js';
import { describeSubset } from '../lca/subset.js';
import type { Cell, Report } from '../report/format.js';
import { checkParts, computeBackends, nonFiniteRows, scalarRowsOf, weightsCheck, type CheckedPart } from '../store/computed-run.js';
import { lcaDir } from '../store/lca-parts.js';
import { readManifest } from '../store/manifest.js';
import { formatRanges, mergeAdjacent, missingRanges } from '../store/ranges.js';
import { rowsContext } from '../store/steps.js';
import { listTemporaries } from '../store/temporaries.js';

export interface StatusOptions {
  run: string;
}

/** Worst |error| and cumulative relative error over the rows of these parts, from their scalars only, and a warning if poorly grounded. */
function groundingOf(parts: readonly CheckedPart[]): { max: Cell; relative: Cell; warning: string | null } {
  if (parts.length === 0) return { max: null, relative: null, warning: null };
  const tolerance = parts[0].metadata.settings.tolerance ?? DEFAULT_TOLERANCE;
  const fold = errorFold(tolerance, false);
  const noVectors = () => new Float32Array(0);
  for (const row of scalarRowsOf(parts)) fold.add({ ...row, variable: noVectors });
  const result = fold.result();
  return { max: result.max_abs_error, relative: result.cumulative_relative_error, warning: groundingWarning({ ...result, tolerance }) };
}

export async function runStatus(options: StatusOptions): Promise<Report> {
  const { run } = options;
  const manifest = readManifest(run);
  const last = manifest.training.iterations - 1;
  const methods: Cell[][] = [];
  const partRows: Cell[][] = [];
  const subsets: string[] = [];
  const nonFinite: string[] = [];
  const warnings: string[] = [];
  const weights = weightsCheck(run);
  for (const method of METHODS) {
    const dir = lcaDir(run, method);
    const parts = await checkParts(dir, 'lca', manifest.model.variables, weights);
    if (parts.length === 0 && listTemporaries(dir).length === 0) continue; // never computed: not "missing", just not asked for
    const covered = parts.filter((p) => p.first <= last).map((p) => [p.first, Math.min(p.last, last)] as [number, number]);
    const missing = missingRanges(parts, 0, last);
    const { max, relative, warning } = groundingOf(parts);
    if (warning) warnings.push(`${method}: ${warning}`);
    const backend = parts.length > 0 ? computeBackends(parts) : null;
    const count = parts[0]?.metadata.settings.subset ?? null;
    const subset = count === null ? null : describeSubset({ count, of: manifest.dataset.train_count });
    if (subset) subsets.push(`${method}: ${subset}`);
    const bad = nonFiniteRows(parts);
    if (bad) nonFinite.push(`${method}: ${bad}`);
    // What a row holds (--store) and spans (--every): `layers`, `full, blocks of 4 iterations`.
    const settings = parts[0]?.metadata.settings;
    const store = settings ? [settings.store, ...(settings.every > 1 ? [`blocks of ${settings.every} iterations`] : [])].join(', ') : null;
    methods.push([method, rowCount(covered), rowCount(missing), parts.length, formatRanges(mergeAdjacent(covered)), formatRanges(missing),
      max, relative, backend, listTemporaries(dir).length, subset, store]);
    for (const p of parts) partRows.push([method, path.basename(p.file), p.first, p.last, p.scalars.get('iteration')!.length, fs.statSync(p.file).size]);
  }
  return {
    report: 'status',
    context: {
      run, model: manifest.model.name, dataset: manifest.dataset.name, train_backend: describeBackend(manifest.backend), created: manifest.created,
      ...rowsContext(manifest), // sparse checkpoints (lca import): k training steps per row
      ...(subsets.length > 0 ? { subset: subsets.join(', ') } : {}), // approximate LCA (lca compute --subset) says so
      ...(nonFinite.length > 0 ? { non_finite_rows: nonFinite.join('; ') } : {}), // rows of a diverged training
    },
    summary: { iterations: manifest.training.iterations, parameters: manifest.model.parameters, methods_computed: methods.map((m) => m[0]).join(', ') || 'none yet (lca compute)' },
    tables: [
      { name: 'methods', columns: ['method', 'computed', 'missing', 'parts', 'computed_ranges', 'missing_ranges', 'max_abs_error', 'cumulative_relative_error', 'compute_backend', 'temporary_files', 'subset', 'store'], rows: methods },
      { name: 'parts', columns: ['method', 'file', 'first', 'last', 'rows', 'bytes'], rows: partRows },
    ],
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
