// Saved full-training-set gradients (`lca compute --save-gradients`): `lca/<method>/gradients/part-<first>-<last>.arrow`,
// rows = iterates θ_first … θ_last with ∇L(θ_t) per variable (float32). Same part and temporary
// mechanism as the LCA parts (store/lca-parts.ts), so a gradient part that exists is complete.
import path from 'node:path';
import { InputError } from '../errors.js';
import { formatRanges } from '../lca/schedule.js';
import type { RowBatch, RowLayout } from './arrow-rows.js';
import { openRowFile } from './arrow-rows.js';
import { lcaDir, listParts, missingRanges } from './lca-parts.js';
import type { ManifestVariable } from './manifest.js';

export const gradientsDir = (run: string, method: string): string => path.join(lcaDir(run, method), 'gradients');

/** `iteration` (t of θ_t), `loss` (L(θ_t)) and ∇L(θ_t) per variable, in the manifest's layout. */
export const gradientsLayout = (variables: readonly ManifestVariable[]): RowLayout => ({
  scalars: [{ name: 'iteration', type: 'int32' }, { name: 'loss', type: 'float64' }],
  vectors: variables.map((v) => ({ name: v.name, size: v.size })),
});

/** Whether any gradients were saved for this method. */
export const hasGradients = (run: string, method: string): boolean => listParts(gradientsDir(run, method)).length > 0;

/** Batches holding the gradients at θ_first … θ_last; a gap is an InputError naming the missing iterates. */
export async function* readGradientBatches(dir: string, first: number, last: number): AsyncGenerator<RowBatch> {
  const parts = listParts(dir);
  const missing = missingRanges(parts, first, last);
  if (missing.length > 0) {
    throw new InputError(`${dir}: gradients missing for iterates ${formatRanges(missing)}; run \`lca compute --save-gradients\` for them`);
  }
  for (const part of parts) {
    if (part.last < first || part.first > last) continue;
    const reader = await openRowFile(part.file);
    try {
      for await (const batch of reader.batches()) yield batch;
    } finally {
      await reader.close();
    }
  }
}
