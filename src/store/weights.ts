// weights.arrow: one row per iterate θ_0 … θ_T with its `iteration`, the `minibatch_loss` of the
// step taken from it (NaN on the last row), and one FixedSizeList<Float32> column per variable.
import path from 'node:path';
import { InputError } from '../errors.js';
import { openRowFile, rowsPerBatch, RowFileWriter, type RowLayout } from './arrow-rows.js';
import type { Manifest, ManifestVariable } from './manifest.js';

export const WEIGHTS_FILE = 'weights.arrow';

export const weightsLayout = (variables: readonly ManifestVariable[]): RowLayout => ({
  scalars: [{ name: 'iteration', type: 'int32' }, { name: 'minibatch_loss', type: 'float32' }],
  vectors: variables.map((v) => ({ name: v.name, size: v.size })),
});

export function createWeightsWriter(dir: string, variables: readonly ManifestVariable[], name = WEIGHTS_FILE): RowFileWriter {
  return RowFileWriter.create(path.join(dir, name), weightsLayout(variables), {
    'lca.kind': 'weights',
    'lca.variables': JSON.stringify(variables),
  });
}

export interface Iterate {
  iteration: number;
  theta: Float32Array; // a fresh [K] array the caller may keep
  minibatchLoss: number;
}

/**
 * θ_first … θ_last (inclusive), in order, read batch by batch. A range that starts late (a shard)
 * jumps straight to the record batch holding θ_first: our writer puts rowsPerBatch rows in every
 * batch, so that is batch ⌊first / rowsPerBatch⌋. A file batched otherwise is read from the start.
 */
export async function* readIterates(dir: string, manifest: Manifest, first = 0, last = manifest.training.iterations): AsyncGenerator<Iterate> {
  const file = path.join(dir, manifest.files.weights);
  const reader = await openRowFile(file);
  const variables = manifest.model.variables;
  let expected = first;
  let from = Math.min(Math.floor(first / rowsPerBatch(weightsLayout(variables))), Math.max(0, reader.numBatches - 1));
  try {
    scan: for (;;) {
      let jumped = from > 0;
      for await (const batch of reader.batches(from)) {
        const iterations = batch.scalar('iteration');
        if (jumped && batch.numRows > 0 && iterations[0] > first) {
          from = 0; // not batched as we write: the jump overshot, so read from the start
          continue scan;
        }
        jumped = false;
        const losses = batch.scalar('minibatch_loss');
        for (let r = 0; r < batch.numRows; r++) {
          const iteration = iterations[r];
          if (iteration < first) continue;
          if (iteration > last) return;
          if (iteration !== expected) throw new InputError(`${file}: expected iterate ${expected}, found ${iteration}`);
          const theta = new Float32Array(manifest.model.parameters);
          variables.forEach((v, k) => theta.set(batch.vector(k).subarray(r * v.size, (r + 1) * v.size), v.offset));
          yield { iteration, theta, minibatchLoss: losses[r] };
          expected++;
        }
      }
      break;
    }
    if (expected <= last) throw new InputError(`${file}: ends at iterate ${expected - 1}, but iterate ${last} was needed`);
  } finally {
    await reader.close();
  }
}
