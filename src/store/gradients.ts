// Saved full-training-set gradients (`lca compute --save-gradients`): `lca/<method>/gradients/part-<first>-<last>.arrow`,
// rows = iterates θ_first … θ_last with ∇L(θ_t) per variable (float32). Same part and temporary
// mechanism as the LCA parts (store/lca-parts.ts), so a gradient part that exists is complete.
import path from 'node:path';
import type { RowBatch, RowLayout } from './arrow-rows.js';
import { lcaDir, readPartBatches } from './lca-parts.js';
import type { ManifestVariable } from './manifest.js';

export const gradientsDir = (run: string, method: string): string => path.join(lcaDir(run, method), 'gradients');

/** `iteration` (t of θ_t), `loss` (L(θ_t)) and ∇L(θ_t) per variable, in the manifest's layout. */
export const gradientsLayout = (variables: readonly ManifestVariable[]): RowLayout => ({
  scalars: [{ name: 'iteration', type: 'int32' }, { name: 'loss', type: 'float64' }],
  vectors: variables.map((v) => ({ name: v.name, size: v.size })),
});

/** Batches holding the gradients at θ_first … θ_last; a gap names the missing iterates. */
export const readGradientBatches = (dir: string, first: number, last: number): AsyncGenerator<RowBatch> =>
  readPartBatches(dir, first, last, (ranges) => `gradients missing for iterates ${ranges}; run \`lca compute --save-gradients\` for them`);
