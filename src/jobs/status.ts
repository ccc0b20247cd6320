// `lca status`: what a run holds — the training, and per method the rows computed (ranges, parts),
// the rows missing, and how well the computed rows are grounded so far. Reads only; safe to run
// while computes or shards are writing (a part is visible only once complete).
import fs from 'node:fs';
import path from 'node:path';
import { describeBackend, describeStoredBackend } from '../backend/names.js';
import { errorFold } from '../analyze/error.js';
import { DEFAULT_TOLERANCE, METHODS } from '../lca/integrate.js';
import { formatRanges, rowCount } from '../lca/schedule.js';
import { describeSubset } from '../lca/subset.js';
import type { Cell, Report } from '../report/format.js';
import { openRowFile } from '../store/arrow-rows.js';
import { firstPartMetadata, lcaDir, listParts, missingRanges, type PartFile } from '../store/lca-parts.js';
import { readManifest } from '../store/manifest.js';
import { rowsContext } from '../store/steps.js';
import { listTemporaries } from '../store/temporaries.js';

export interface StatusOptions {
  run: string;
}

/** Worst |error| and cumulative relative error over the rows of these parts, plus who computed them. */
async function groundingOf(parts: readonly PartFile[]): Promise<{ max: Cell; relative: Cell; backend: Cell }> {
  if (parts.length === 0) return { max: null, relative: null, backend: null };
  const fold = errorFold(DEFAULT_TOLERANCE, false); // the tolerance only feeds a count we do not show
  const backends = new Set<string>();
  for (const part of parts) {
    const reader = await openRowFile(part.file);
    try {
      backends.add(describeStoredBackend(reader.metadata.get('lca.backend')));
      for await (const batch of reader.batches()) {
        const iterations = batch.scalar('iteration');
        for (let r = 0; r < batch.numRows; r++) {
          fold.add({ iteration: iterations[r], scalar: (name) => batch.scalar(name)[r], variable: () => new Float32Array(0) });
        }
      }
    } finally {
      await reader.close();
    }
  }
  const result = fold.result();
  return { max: result.max_abs_error, relative: result.cumulative_relative_error, backend: [...backends].join(', ') };
}

/** `5000 of 55000` when the method's rows are an approximation on a training subset, else null. */
async function subsetOf(dir: string, trainCount: number): Promise<string | null> {
  const subset = (JSON.parse((await firstPartMetadata(dir))?.get('lca.compute') ?? '{}') as { subset?: number | null }).subset ?? null;
  return subset === null ? null : describeSubset({ count: subset, of: trainCount });
}

export async function runStatus(options: StatusOptions): Promise<Report> {
  const { run } = options;
  const manifest = readManifest(run);
  const last = manifest.training.iterations - 1;
  const methods: Cell[][] = [];
  const partRows: Cell[][] = [];
  const subsets: string[] = [];
  for (const method of METHODS) {
    const dir = lcaDir(run, method);
    const parts = listParts(dir);
    const covered = parts.filter((p) => p.first <= last).map((p) => [p.first, Math.min(p.last, last)] as [number, number]);
    const missing = missingRanges(parts, 0, last);
    const { max, relative, backend } = await groundingOf(parts);
    const subset = await subsetOf(dir, manifest.dataset.train_count);
    if (subset) subsets.push(`${method}: ${subset}`);
    methods.push([method, rowCount(covered), rowCount(missing), parts.length, formatRanges(mergeAdjacent(covered)), formatRanges(missing),
      max, relative, backend, listTemporaries(dir).length, subset]);
    for (const p of parts) partRows.push([method, path.basename(p.file), p.first, p.last, p.last - p.first + 1, fs.statSync(p.file).size]);
  }
  return {
    report: 'status',
    context: {
      run, model: manifest.model.name, dataset: manifest.dataset.name, train_backend: describeBackend(manifest.backend), created: manifest.created,
      ...rowsContext(manifest), // sparse checkpoints (lca import): k training steps per row
      ...(subsets.length > 0 ? { subset: subsets.join(', ') } : {}), // approximate LCA (lca compute --subset) says so
    },
    summary: { iterations: manifest.training.iterations, parameters: manifest.model.parameters },
    tables: [
      { name: 'methods', columns: ['method', 'computed', 'missing', 'parts', 'computed_ranges', 'missing_ranges', 'max_abs_error', 'cumulative_relative_error', 'compute_backend', 'temporary_files', 'subset'], rows: methods },
      { name: 'parts', columns: ['method', 'file', 'first', 'last', 'rows', 'bytes'], rows: partRows },
    ],
  };
}

/** Parts 0-1 and 2-3 read as one computed range 0-3. */
function mergeAdjacent(ranges: readonly [number, number][]): [number, number][] {
  const merged: [number, number][] = [];
  for (const [a, b] of ranges) {
    const previous = merged[merged.length - 1];
    if (previous && previous[1] + 1 === a) previous[1] = b;
    else merged.push([a, b]);
  }
  return merged;
}
