// `lca compute`: integrate the full-dataset gradient along the saved path and write the LCA
// matrix in parts. Iterations already written with the same settings are kept (a rerun resumes),
// and a shard computes only its own contiguous rows, so shards need no coordinator.
import fs from 'node:fs';
import { initBackend } from '../backend/init.js';
import type { BackendChoice } from '../backend/names.js';
import { loadDataset, type DatasetName } from '../data/dataset.js';
import { ExistsError, InputError, UsageError } from '../errors.js';
import { FullDatasetObjective } from '../lca/full-dataset.js';
import { integrateSegment, type Evaluation, type Method } from '../lca/integrate.js';
import { formatRanges, rowCount, shardRange, type Shard } from '../lca/schedule.js';
import { networkNamed } from '../models/registry.js';
import type { ModelName } from '../config/schema.js';
import { createPartWriter, firstPartMetadata, lcaDir, lcaLayout, listParts, missingRanges, type PartWriter } from '../store/lca-parts.js';
import { readManifest, type Manifest } from '../store/manifest.js';
import { removeStaleTemporaries } from '../store/temporaries.js';
import { readIterates } from '../store/weights.js';
import type { Reporter } from './reporter.js';

export interface ComputeOptions {
  run: string;
  method: Method;
  val: boolean;
  /** Rows t = first … last of the T×K matrix; default all of 0 … T−1. */
  iterations?: [number, number];
  /** Compute only this shard's contiguous share of those rows. */
  shard?: Shard;
  tolerance: number;
  maxSplits: number;
  evalBatchSize?: number;
  partSize: number;
  backend: BackendChoice;
  dataDir?: string;
  force: boolean;
  projectRoot: string;
  reporter: Reporter;
}

/** What must agree between parts for them to form one matrix. */
interface ComputeSettings {
  method: Method;
  val: boolean;
  tolerance: number;
  max_splits: number;
  eval_batch_size: number;
  dataset_fingerprint: string;
}

export interface ComputeSummary {
  computed: number; // iterations computed now
  skipped: number; // iterations already present
  gradients: number; // full-dataset gradient evaluations (per objective)
  /** Gradients at the first endpoint of each range computed: the rows before would have shared them. */
  endpoint_gradients: number;
  seconds: number;
}

function checkCompatible(existing: Map<string, string> | null, settings: ComputeSettings, dir: string): void {
  if (!existing) return;
  const previous = JSON.parse(existing.get('lca.compute') ?? '{}') as Partial<ComputeSettings>;
  const differing = (Object.keys(settings) as (keyof ComputeSettings)[]).filter((k) => previous[k] !== settings[k]);
  if (differing.length > 0) {
    const what = differing.map((k) => `${k} ${JSON.stringify(previous[k])} → ${JSON.stringify(settings[k])}`).join(', ');
    throw new ExistsError(`${dir} holds results computed with other settings (${what}); pass --force to recompute`);
  }
}

export function resolveRange(manifest: Manifest, range: [number, number] | undefined, run: string): [number, number] {
  const last = manifest.training.iterations - 1;
  const [a, b] = range ?? [0, last];
  if (a < 0 || b > last || a > b) throw new InputError(`${run}: --iterations ${a}:${b + 1} is outside 0:${last + 1}`);
  return [a, b];
}

export async function runCompute(options: ComputeOptions): Promise<ComputeSummary> {
  const { run, reporter } = options;
  const manifest = readManifest(run);
  const [first, last] = resolveRange(manifest, options.iterations, run);
  const dir = lcaDir(run, options.method);
  const settings: ComputeSettings = {
    method: options.method,
    val: options.val,
    tolerance: options.tolerance,
    max_splits: options.maxSplits,
    eval_batch_size: options.evalBatchSize ?? manifest.config.eval_batch_size,
    dataset_fingerprint: manifest.dataset.fingerprint,
  };
  if (options.force && options.shard) {
    throw new UsageError(`--force with a shard (${options.shard.source}) would delete the other shards' parts; remove ${dir} once before starting the shards`);
  }
  if (options.force) fs.rmSync(dir, { recursive: true, force: true });
  for (const file of removeStaleTemporaries(dir)) reporter.info(`removed ${file}, left by a compute that has ended`);
  checkCompatible(await firstPartMetadata(dir), settings, dir);
  const summary: ComputeSummary = { computed: 0, skipped: 0, gradients: 0, endpoint_gradients: 0, seconds: 0 };
  const mine = options.shard ? shardRange(first, last, options.shard) : [first, last] as [number, number];
  if (options.shard) {
    const { index, count, source } = options.shard;
    const name = `shard ${index}/${count}` + (source.startsWith('--') ? '' : ` (from ${source})`);
    reporter.info(mine ? `${name}: rows ${mine[0]}-${mine[1]} of ${first}-${last}` : `${name}: no rows, since ${first}-${last} has fewer rows than shards`, { shard: index, shards: count });
  }
  if (!mine) return summary;
  const todo = missingRanges(listParts(dir), mine[0], mine[1]);
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

  const data = loadDataset(manifest.dataset.name as DatasetName, {
    dataDir: options.dataDir ?? manifest.config.data_dir ?? undefined, projectRoot: options.projectRoot,
  });
  if (data.fingerprint !== manifest.dataset.fingerprint) {
    throw new InputError(`${data.source}: these ${data.name} files differ from the ones ${run} was trained on (fingerprint ${data.fingerprint.slice(0, 12)}… ≠ ${manifest.dataset.fingerprint.slice(0, 12)}…)`);
  }
  const backend = await initBackend(options.backend);
  reporter.info(`backend ${backend.name}`, { package: backend.package, version: backend.version });
  const net = networkNamed(manifest.config.model as ModelName);
  const objectives = [new FullDatasetObjective(net, data.train, settings.eval_batch_size)];
  if (options.val) objectives.push(new FullDatasetObjective(net, data.val, settings.eval_batch_size));
  const evaluate = (theta: Float32Array): Evaluation => {
    summary.gradients++;
    const results = objectives.map((o) => o.lossAndGradient(theta));
    return { losses: results.map((r) => r.loss), gradients: results.map((r) => r.gradient) };
  };

  const layout = lcaLayout(manifest.model.variables, options.val);
  const metadata = {
    'lca.kind': 'lca',
    'lca.variables': JSON.stringify(manifest.model.variables),
    'lca.compute': JSON.stringify(settings),
    'lca.backend': JSON.stringify({ name: backend.name, package: backend.package, version: backend.version }),
  };
  const progress = reporter.progress(`computing LCA (${options.method})`);
  const started = performance.now();
  try {
    for (const [a, b] of todo) {
      let from: { theta: Float32Array; evaluation: Evaluation } | null = null;
      let part: { writer: PartWriter; last: number } | null = null;
      for await (const iterate of readIterates(run, manifest, a, b + 1)) {
        const evaluation = evaluate(iterate.theta);
        if (from) {
          const t = iterate.iteration - 1;
          if (!part) {
            const partLast = Math.min(b, t + options.partSize - 1);
            part = { writer: createPartWriter(dir, t, partLast, layout, metadata), last: partLast };
          }
          const result = integrateSegment(from.theta, iterate.theta, from.evaluation, evaluation,
            (theta) => evaluate(theta).gradients, { method: options.method, tolerance: options.tolerance, maxSplits: options.maxSplits });
          const row: Record<string, number> = { iteration: t, splits: result.splits };
          objectives.forEach((_, k) => {
            const prefix = k === 0 ? '' : 'val_';
            row[`${prefix}loss`] = from!.evaluation.losses[k];
            row[`${prefix}next_loss`] = evaluation.losses[k];
            row[`${prefix}delta_loss`] = evaluation.losses[k] - from!.evaluation.losses[k];
            row[`${prefix}lca_sum`] = result.sums[k];
            row[`${prefix}error`] = result.errors[k];
          });
          await part.writer.append(row, result.lca[0]);
          summary.computed++;
          progress.update(summary.computed, total);
          reporter.debug('iteration', { iteration: t, splits: result.splits, error: result.errors[0], loss: row.next_loss });
          if (t === part.last) {
            await part.writer.commit();
            part = null;
          }
        }
        from = { theta: iterate.theta, evaluation };
      }
    }
  } finally {
    progress.stop();
    objectives.forEach((o) => o.dispose());
  }
  summary.seconds = (performance.now() - started) / 1000;
  reporter.info(`computed ${summary.computed} iterations in ${summary.seconds.toFixed(1)} s ` +
    `(${(summary.seconds / summary.computed).toFixed(3)} s/iteration, ${summary.gradients} gradient evaluations, ` +
    `${(summary.seconds / summary.gradients).toFixed(3)} s each, ${summary.endpoint_gradients} at range starts)`, { ...summary });
  return summary;
}
