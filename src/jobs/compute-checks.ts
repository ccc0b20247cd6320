// What `lca compute` (and its --dry-run) refuse before any work: a range off the run, --every blocks that
// do not fit, per-class or another evaluation batch on a batch-norm network, --val without validation data.
import { InputError, UsageError } from '../errors.js';
import { onBlockEdges } from '../lca/aggregate.js';
import { checkIterationRange, type Shard } from '../lca/schedule.js';
import type { Manifest } from '../store/manifest.js';
import type { ComputeOptions } from './compute.js';

/** Batch norm makes the loss depend on how examples are grouped into evaluation batches. */
export function checkBatchStatistics(manifest: Manifest, options: Pick<ComputeOptions, 'run' | 'perClass' | 'allowEvalBatchChange'>, evalBatchSize: number): void {
  if (!manifest.model.uses_batch_statistics) return;
  const model = manifest.model.name;
  if (options.perClass) {
    throw new UsageError(`--per-class: ${model} uses batch statistics (batch norm), so its loss depends on which examples share an evaluation batch; ` +
      'class-homogeneous batches would allocate the change of a different loss, so per-class LCA is only available for networks without batch norm');
  }
  const trained = manifest.config.eval_batch_size;
  if (evalBatchSize !== trained && !options.allowEvalBatchChange) {
    throw new UsageError(`--eval-batch-size ${evalBatchSize}: ${model} uses batch statistics (batch norm), so the loss LCA allocates depends on the evaluation batch; ` +
      `${options.run} was trained with ${trained}. Pass --allow-eval-batch-change to compute the LCA of the loss at batch ${evalBatchSize}`);
  }
}

/**
 * --val integrates the validation loss, so the data must have one: on no examples it is 0/0 at every
 * point, which no row's error can meet (each doubled to --max-splits) and the reports read as zeros.
 */
export function checkValidationSet(manifest: Manifest, val: boolean, run: string): void {
  if (!val || manifest.dataset.val_count > 0) return;
  throw new InputError(`--val: ${run} has no validation examples (${manifest.dataset.name})` +
    (manifest.imported ? '; import it again with x_val and y_val in the data .npz' : ''));
}

/** --every k: rows are blocks k·j … k·j + k − 1 from iteration 0, so the range must start and end on block edges. */
export function checkBlocks(every: number, [first, last]: [number, number], T: number, shard: Shard | undefined): void {
  if (!Number.isInteger(every) || every < 1) throw new UsageError(`--every ${every}: must be a positive integer`);
  if (every === 1) return;
  if (shard) throw new UsageError(`--every ${every} with a shard (${shard.source}): shards split rows, not blocks; compute the blocks in one process or use --iterations ranges on block edges`);
  if (!onBlockEdges(first, last, every, T)) {
    throw new UsageError(`--every ${every}: --iterations ${first}:${last + 1} must start on a multiple of ${every} and end on one (or at ${T})`);
  }
}

export function resolveRange(manifest: Manifest, range: [number, number] | undefined, run: string): [number, number] {
  return checkIterationRange(run, range ?? [0, manifest.training.iterations - 1], manifest.training.iterations);
}
