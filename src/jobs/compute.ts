// `lca compute`: integrate the full-dataset gradient along the saved path and write the LCA
// matrix in parts (with per-class sums and saved gradients when asked). Iterations already written with the same settings are kept (a rerun resumes),
// and a shard computes only its own contiguous rows, so shards need no coordinator.
import fs from 'node:fs';
import os from 'node:os';
import { describeBackend, type BackendChoice } from '../backend/names.js';
import { UsageError } from '../errors.js';
import type { LossAndGradient, SegmentPoint } from '../lca/full-dataset.js';
import { integrateSegment, type Evaluation, type Method } from '../lca/integrate.js';
import { blockAccumulator, blockEndOf, storedVector, variableSums, type Store } from '../lca/aggregate.js';
import { rowCount, shardRange, type Shard } from '../lca/schedule.js';
import { describeSubset, subsetIndices, type Subset } from '../lca/subset.js';
import { gradientsDir, gradientsLayout } from '../store/gradients.js';
import { assertNoWriters } from '../store/compute-lease.js';
import { checkParts, weightsCheck, type WeightsCheck } from '../store/computed-run.js';
import { classColumn, classVariableColumn, createPartWriter, lcaDir, lcaLayout, valVariableColumn, type PartWriter } from '../store/lca-parts.js';
import { MANIFEST_FILE, readManifest, type Manifest } from '../store/manifest.js';
import { checkManifest } from '../store/manifest-check.js';
import { partMetadataRecord, type ComputeSettings, type PartMetadata } from '../store/part-metadata.js';
import { formatRanges, missingRanges } from '../store/ranges.js';
import { removeStaleTemporaries } from '../store/temporaries.js';
import { readIterates } from '../store/weights.js';
import { checkBatchStatistics, checkBlocks, checkValidationSet, resolveRange } from './compute-checks.js';
import { guardCompute, type ComputeGuard } from './compute-guard.js';
import { gradientTimer, stopwatch } from './gradient-timer.js';
import { modelSource, openObjectives } from './model-source.js';
import type { Reporter } from './reporter.js';

export interface ComputeOptions {
  run: string;
  method: Method;
  val: boolean;
  /** Also the LCA of each class's loss L_c, from the same passes (class-homogeneous evaluation batches). */
  perClass?: boolean;
  /** Keep ∇L(θ_t) at every iterate in `lca/<method>/gradients/`. */
  saveGradients?: boolean;
  /** Approximate L on this many seeded training examples instead of all of them. */
  subset?: number;
  subsetSeed?: number;
  /** Rows t = first … last of the T×K matrix; default all of 0 … T−1. */
  iterations?: [number, number];
  /** Compute only this shard's contiguous share of those rows. */
  shard?: Shard;
  /** What a stored row keeps (default full) and how many iterations it sums (default 1): lca/aggregate.ts. */
  store?: Store;
  every?: number;
  tolerance: number;
  maxSplits: number;
  evalBatchSize?: number;
  /** Batch-norm runs: accept an evaluation batch other than the run's (it changes the loss). */
  allowEvalBatchChange?: boolean;
  partSize: number;
  backend: BackendChoice;
  /** ONNX Runtime's intra-op threads per session (default: the cores divided among the sessions). */
  threads?: number;
  /** ONNX Runtime CPU sessions evaluating a gradient's batches at once (default 1). */
  sessions?: number;
  dataDir?: string;
  force: boolean;
  /** Ignore and remove other computes' leases on the method folder (their computes must be dead). */
  breakLock?: boolean;
  projectRoot: string;
  reporter: Reporter;
}

export interface ComputeSummary {
  computed: number; // iterations computed now
  skipped: number; // iterations already present
  gradients: number; // full-dataset gradient evaluations (per objective)
  /** Gradients at the first endpoint of each range computed: the rows before would have shared them. */
  endpoint_gradients: number;
  seconds: number;
}

export async function runCompute(options: ComputeOptions): Promise<ComputeSummary> {
  const { run, reporter } = options;
  const manifest = readManifest(run);
  checkManifest(`${run}/${MANIFEST_FILE}`, manifest, true); // and what computing needs: config, dataset
  const [first, last] = resolveRange(manifest, options.iterations, run);
  const dir = lcaDir(run, options.method);
  const gradientDir = gradientsDir(run, options.method);
  const evalBatchSize = options.evalBatchSize ?? manifest.config.eval_batch_size;
  checkBatchStatistics(manifest, options, evalBatchSize);
  checkValidationSet(manifest, options.val, run);
  const subset: Subset | null = options.subset === undefined ? null : { count: options.subset, of: manifest.dataset.train_count, seed: options.subsetSeed ?? 0 };
  const indices = subset ? subsetIndices(subset) : undefined; // validates N before anything is loaded
  const settings: ComputeSettings = {
    method: options.method,
    val: options.val,
    tolerance: options.tolerance,
    max_splits: options.maxSplits,
    eval_batch_size: evalBatchSize,
    dataset_fingerprint: manifest.dataset.fingerprint,
    per_class: !!options.perClass,
    save_gradients: !!options.saveGradients,
    subset: subset?.count ?? null,
    subset_seed: subset?.seed ?? null,
    store: options.store ?? 'full',
    every: options.every ?? 1,
  };
  checkBlocks(settings.every, [first, last], manifest.training.iterations, options.shard);
  if (options.force && options.shard) {
    throw new UsageError(`--force with a shard (${options.shard.source}) would delete the other shards' parts; remove ${dir} once before starting the shards`);
  }
  if (options.force) {
    if (!options.breakLock) assertNoWriters(dir, '--force');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const file of [...removeStaleTemporaries(dir), ...removeStaleTemporaries(gradientDir)]) reporter.info(`removed ${file}, left by a compute that has ended`);
  const summary: ComputeSummary = { computed: 0, skipped: 0, gradients: 0, endpoint_gradients: 0, seconds: 0 };
  const mine = options.shard ? shardRange(first, last, options.shard) : [first, last] as [number, number];
  if (options.shard) {
    const { index, count, source } = options.shard;
    const name = `shard ${index}/${count}` + (source.startsWith('--') ? '' : ` (from ${source})`);
    reporter.info(mine ? `${name}: rows ${mine[0]}-${mine[1]} of ${first}-${last}` : `${name}: no rows, since ${first}-${last} has fewer rows than shards`, { shard: index, shards: count });
  }
  if (!mine) return summary;
  const weights = weightsCheck(run);
  const guard = guardCompute(run, [dir, gradientDir], { rows: mine, settings, weights_sha256: await weights() }, { breakLock: options.breakLock });
  try {
    return await computeRows(options, { manifest, settings, mine, weights, guard, summary, subset, indices, evalBatchSize });
  } finally {
    guard.release();
  }
}

interface Plan {
  manifest: Manifest;
  settings: ComputeSettings;
  mine: [number, number];
  weights: WeightsCheck;
  guard: ComputeGuard;
  summary: ComputeSummary;
  subset: Subset | null;
  indices: Int32Array | undefined;
  evalBatchSize: number;
}

/** The rows of `mine` that no valid part holds yet, computed part by part under the guard's lease. */
async function computeRows(options: ComputeOptions, { manifest, settings, mine, weights, guard, summary, subset, indices, evalBatchSize }: Plan): Promise<ComputeSummary> {
  const { run, reporter } = options;
  const dir = lcaDir(run, options.method);
  const gradientDir = gradientsDir(run, options.method);
  // Every part kept must be whole, of these settings and from this weights.arrow: a rerun then fills only real gaps.
  const variables = manifest.model.variables;
  const kept = await checkParts(dir, 'lca', variables, weights, settings);
  if (settings.save_gradients) await checkParts(gradientDir, 'gradients', variables, weights, settings);
  const todo = missingRanges(kept, mine[0], mine[1]);
  const total = rowCount(todo);
  summary.skipped = mine[1] - mine[0] + 1 - total;
  if (total === 0) {
    reporter.info(`${dir}: iterations ${mine[0]}-${mine[1]} already computed; nothing to do (pass --force to recompute)`);
    return summary;
  }
  // Each range starts with a gradient at θ_a that the row before it would have shared.
  summary.endpoint_gradients = todo.length;
  reporter.info(`computing rows ${formatRanges(todo)}` + (summary.skipped > 0 ? ` (${summary.skipped} rows already computed)` : '') +
    `; each range start costs one extra gradient (${todo.length} here)`, { ranges: todo });

  const source = modelSource(run, manifest, { projectRoot: options.projectRoot, dataDir: options.dataDir });
  if (subset) {
    reporter.info(`approximate LCA: the training loss over a subset of ${describeSubset(subset)} examples (seed ${subset.seed})`, { subset: subset.count, of: subset.of });
  }
  const { backend, objectives } = await openObjectives(source, [
    { set: source.train, evalBatchSize, options: { indices, byClass: settings.per_class } },
    ...(options.val ? [{ set: source.val, evalBatchSize }] : []),
  ], options);
  reporter.info(`backend ${describeBackend(backend)}`, { ...backend });
  const train = objectives[0];
  const driving = objectives.length; // train (and val) decide doubling; classes ride along
  const classes = settings.per_class ? train.classCounts.length : 0;
  if (classes > 0) reporter.info(`per-class LCA for ${classes} classes (${train.classCounts.join(', ')} examples)`, { class_counts: train.classCounts });
  // Objectives in order: train, val?, then class 0 … C−1 of the training loss.
  // `at`: θ lies inside that segment (lets MNIST-FC interpolate its first layer's pre-activations).
  const timing = gradientTimer();
  const evaluate = async (theta: Float32Array, at?: SegmentPoint): Promise<Evaluation> => {
    guard.tick();
    const results = await timing.time(at !== undefined, async () => {
      const all: LossAndGradient[] = [];
      for (const o of objectives) all.push(await o.lossAndGradient(theta, at));
      return all;
    });
    progress.pulse({ gradients: ++summary.gradients });
    const perClass = results[0].classes;
    return {
      losses: [...results.map((r) => r.loss), ...(perClass?.losses ?? [])],
      gradients: [...results.map((r) => r.gradient), ...(perClass?.gradients ?? [])],
    };
  };

  const layout = lcaLayout(variables, options.val, classes, settings);
  const blocks = blockAccumulator(manifest.model.parameters, blockEndOf(settings.every, manifest.training.iterations)); // every 1: each row its own block
  const partMetadata: PartMetadata = {
    kind: 'lca',
    settings,
    weights: await weights(),
    backend: { ...backend },
    classCounts: classes > 0 ? train.classCounts : [],
    approximation: subset ? `subset: ${describeSubset(subset)} training examples (seed ${subset.seed})` : null,
  };
  const metadata = partMetadataRecord(partMetadata, variables);
  const gradientMetadata = partMetadataRecord({ ...partMetadata, kind: 'gradients' }, variables);
  const gradientLayout = gradientsLayout(variables);
  const T = manifest.training.iterations;
  const progress = reporter.progress(`computing LCA (${options.method})`);
  progress.update(0, total);
  const loop = stopwatch();
  let firstRowSplits: number | null = null; // the estimate in the last log line assumes it for every row, as --dry-run does
  try {
    for (const [a, b] of todo) {
      let from: { theta: Float32Array; evaluation: Evaluation } | null = null;
      let part: { writer: PartWriter; gradients: PartWriter | null; last: number } | null = null;
      for await (const iterate of readIterates(run, manifest, a, b + 1)) {
        guard.checkIterate(iterate.iteration, a, iterate.theta);
        const evaluation = await evaluate(iterate.theta);
        guard.checkIterate(iterate.iteration, a, iterate.theta, evaluation.losses[0]);
        if (from) {
          const t = iterate.iteration - 1;
          if (!part) {
            const partLast = Math.min(b, t + options.partSize * settings.every - 1); // a block's end, by checkBlocks
            // The gradient part holds the iterates the rows start from, and θ_T too when the rows reach the end.
            const gradients = settings.save_gradients ? createPartWriter(gradientDir, t, partLast === T - 1 ? T : partLast, gradientLayout, gradientMetadata) : null;
            part = { writer: createPartWriter(dir, t, partLast, layout, metadata), gradients, last: partLast };
          }
          progress.pulse({ row: t, splits: options.method === 'first-order' ? 1 : 2, error: NaN });
          const onRefine = (splits: number, error: number) => progress.pulse({ row: t, splits, error }, true);
          const result = await integrateSegment(from.theta, iterate.theta, from.evaluation, evaluation,
            async (theta, s) => (await evaluate(theta, { from: from!.theta, to: iterate.theta, s })).gradients, { method: options.method, tolerance: options.tolerance, maxSplits: options.maxSplits, driving, onRefine });
          firstRowSplits ??= result.splits;
          const row: Record<string, number> = { iteration: t, splits: result.splits };
          const put = (prefix: (column: string) => string, k: number) => {
            row[prefix('loss')] = from!.evaluation.losses[k];
            row[prefix('next_loss')] = evaluation.losses[k];
            row[prefix('delta_loss')] = evaluation.losses[k] - from!.evaluation.losses[k];
            row[prefix('lca_sum')] = result.sums[k];
            row[prefix('error')] = result.errors[k];
          };
          put((c) => c, 0);
          if (options.val) {
            put((c) => `val_${c}`, 1);
            variableSums(variables, result.lca[1]).forEach((sum, v) => (row[valVariableColumn(variables[v].name)] = sum));
          }
          for (let c = 0; c < classes; c++) {
            put((column) => classColumn(c, column), driving + c);
            variableSums(variables, result.lca[driving + c]).forEach((sum, v) => (row[classVariableColumn(c, variables[v].name)] = sum));
          }
          if (settings.store === 'layers') variableSums(variables, result.lca[0]).forEach((sum, v) => (row[variables[v].name] = sum));
          const block = blocks.add(row, result.lca[0]);
          if (block) await part.writer.append(block.scalars, storedVector(settings.store, variables, block.lca));
          await part.gradients?.append({ iteration: t, loss: from.evaluation.losses[0] }, from.evaluation.gradients[0]);
          summary.computed++;
          progress.update(summary.computed, total);
          reporter.debug('iteration', { iteration: t, splits: result.splits, error: result.errors[0], loss: row.next_loss });
          if (t === part.last) {
            guard.beforeCommit();
            if (part.gradients) {
              if (t === T - 1) await part.gradients.append({ iteration: T, loss: evaluation.losses[0] }, evaluation.gradients[0]);
              await part.gradients.commit(); // before the LCA part: a visible LCA part always has its gradients
            }
            await part.writer.commit();
            part = null;
          }
        }
        from = { theta: iterate.theta, evaluation };
      }
    }
  } finally {
    progress.stop();
    await Promise.all(objectives.map((o) => o.dispose()));
  }
  const spent = loop();
  summary.seconds = spent.wall;
  reporter.info(`computed ${summary.computed} iterations in ${summary.seconds.toFixed(1)} s ` +
    `(${(summary.seconds / summary.computed).toFixed(3)} s/iteration, ${summary.gradients} gradient evaluations, ` +
    `${(summary.seconds / summary.gradients).toFixed(3)} s each, ${summary.endpoint_gradients} at range starts)`, { ...summary });
  const estimate = firstRowSplits === null ? null : timing.estimate(options.method, total, todo.length, firstRowSplits);
  if (estimate) {
    const load = os.loadavg()[0];
    const ratio = (actual: number, estimated: number) => `${estimated.toFixed(1)} s vs actual ${actual.toFixed(1)} s (actual/estimate ${(actual / estimated).toFixed(2)})`;
    reporter.info(`estimate ${ratio(spent.wall, estimate.wall)}, CPU ${ratio(spent.cpu, estimate.cpu)}: ` +
      `--dry-run's model (${estimate.splits} splits per row) on this compute's first gradients; load average ${load.toFixed(2)}`,
    { estimated_seconds: estimate.wall, seconds: spent.wall, estimated_cpu_seconds: estimate.cpu, cpu_seconds: spent.cpu, load_average: load });
  }
  return summary;
}
