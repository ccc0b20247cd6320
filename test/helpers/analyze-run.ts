// Writes a run directory with only what `lca analyze` reads (manifest + LCA parts), from a row
// generator: the analysis tests and scripts/bench-analyze.ts use it instead of training.
import fs from 'node:fs';
import path from 'node:path';
import { createPartWriter, lcaDir, lcaLayout } from '../../src/store/lca-parts.js';
import { partMetadataRecord } from '../../src/store/part-metadata.js';

export interface GeneratedVariable {
  name: string;
  shape: number[];
}

/** rows(t, out) fills out ([K], variables end to end) with LCA row t; errorOf(t) is row t's grounding error (default 0). */
export async function writeAnalyzeRun(dir: string, variables: GeneratedVariable[], iterations: number, rows: (t: number, out: Float32Array) => void, partSize = 50, errorOf: (t: number) => number = () => 0): Promise<void> {
  let offset = 0;
  const vars = variables.map((v) => {
    const size = v.shape.reduce((a, b) => a * b, 1);
    const entry = { name: v.name, shape: v.shape, offset, size };
    offset += size;
    return entry;
  });
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    format: 'lca-run/1',
    model: { name: 'generated', parameters: offset, variables: vars, uses_batch_statistics: false },
    dataset: { name: 'none' },
    training: { iterations },
    backend: { name: 'none' },
    files: { weights: 'weights.arrow' },
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const layout = lcaLayout(vars, false);
  const settings = { method: 'adaptive', val: false, tolerance: 1e-3, max_splits: 32, eval_batch_size: 1000, dataset_fingerprint: 'none', per_class: false, save_gradients: false, subset: null, subset_seed: null, store: 'full', every: 1 } as const;
  const metadata = partMetadataRecord({ kind: 'lca', settings, weights: null, backend: { name: 'none', package: '', version: '' }, classCounts: [], approximation: null }, vars);
  const row = new Float32Array(offset);
  for (let first = 0; first < iterations; first += partSize) {
    const last = Math.min(iterations, first + partSize) - 1;
    const writer = createPartWriter(lcaDir(dir, 'adaptive'), first, last, layout, metadata);
    for (let t = first; t <= last; t++) {
      rows(t, row);
      let sum = 0;
      for (let i = 0; i < row.length; i++) sum += row[i];
      const error = errorOf(t);
      await writer.append({ iteration: t, loss: 1, next_loss: 1 + sum + error, delta_loss: sum + error, lca_sum: sum, error, splits: 2 }, row);
    }
    await writer.commit();
  }
}
