// `lca compute --dry-run`: what a compute with these flags would cost, from gradients measured on this
// machine and engine (same data, objectives and evaluation batches as the compute): the first row is
// integrated as the compute will (so adaptive's splits are measured), its timings' medians times the
// expected gradients per row (lca/estimate.ts); peak memory from this process's own peak, disk from the
// part layout with a one-row part written to measure a part's fixed bytes. Writes no LCA.
import fs from 'node:fs';
import { describeBackend } from '../backend/names.js';
import os from 'node:os';
import path from 'node:path';
import { gradientCount, median as medianOf, partBytes, partCount, wantsSample } from '../lca/estimate.js';
import type { SegmentPoint } from '../lca/full-dataset.js';
import { integrateSegment, pointOnSegment, type Evaluation } from '../lca/integrate.js';
import { rowCount, shardRange } from '../lca/schedule.js';
import { subsetIndices } from '../lca/subset.js';
import type { Report } from '../report/format.js';
import { rowsPerBatch, type RowLayout } from '../store/arrow-rows.js';
import { gradientsLayout } from '../store/gradients.js';
import { createPartWriter, lcaDir, lcaLayout, listParts, readLcaBatches } from '../store/lca-parts.js';
import { missingRanges } from '../store/ranges.js';
import { readManifest } from '../store/manifest.js';
import { readIterates } from '../store/weights.js';
import { checkBatchStatistics, checkBlocks, checkValidationSet, resolveRange } from './compute-checks.js';
import type { ComputeOptions } from './compute.js';
import { estimateLoop, stopwatch, type GradientTimings, type Timing } from './gradient-timer.js';
import { blockCount } from '../lca/aggregate.js';
import { modelSource, openObjectives, type Objective } from './model-source.js';

const seconds = (since: number) => (performance.now() - since) / 1000;
const timings = (timed: Timing[]) => {
  const walls = timed.map((t) => t.wall);
  return walls.length > 1 ? `median of ${walls.length} (${Math.min(...walls).toFixed(3)}–${Math.max(...walls).toFixed(3)})` : 'one timing';
};

/** Rows written for these ranges: one per block of `every` iterations (ranges start on block edges). */
const storedRows = (ranges: readonly [number, number][], every: number) => ranges.reduce((n, [a, b]) => n + blockCount(a, b, every), 0);

/** Bytes of one row in a part of this layout, and the fixed bytes of a part (schema, metadata, footer), measured. */
async function measurePart(layout: RowLayout, metadata: Record<string, string>): Promise<{ row: number; part: number }> {
  const row = layout.scalars.reduce((n, c) => n + (c.type === 'float64' ? 8 : 4), 0) + 4 * layout.vectors.reduce((n, v) => n + v.size, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-dry-run-'));
  try {
    const writer = createPartWriter(dir, 0, 0, layout, metadata);
    await writer.append(Object.fromEntries(layout.scalars.map((c) => [c.name, 0])), new Float32Array(row));
    const file = await writer.commit();
    return { row, part: fs.statSync(file).size - row };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Mean splits of the rows already computed with this method (adaptive's best guess), or null. */
async function observedSplits(dir: string): Promise<{ splits: number; rows: number } | null> {
  const [part] = listParts(dir);
  if (!part) return null;
  let sum = 0;
  let rows = 0;
  for await (const batch of readLcaBatches(dir, part.first, part.last)) {
    batch.scalar('splits').forEach((s) => (sum += s));
    rows += batch.numRows;
  }
  return rows > 0 ? { splits: sum / rows, rows } : null;
}

/**
 * Gradients timed as the compute will take them: at θ_a (cold), at θ_{a+1}, row a integrated (its midpoint
 * and every doubling it needs: its splits are measured, not assumed), then more while cheap
 * (lca/estimate.ts's wantsSample), alternating θ_a and θ_{a+1}, and the midpoint.
 */
async function measureFirstRow(objectives: readonly Objective[], from: Float32Array, to: Float32Array, options: Pick<ComputeOptions, 'method' | 'tolerance' | 'maxSplits'>) {
  const evaluate = async (theta: Float32Array, at?: SegmentPoint): Promise<{ timing: Timing; evaluation: Evaluation }> => {
    const lap = stopwatch();
    const results = [];
    for (const o of objectives) results.push(await o.lossAndGradient(theta, at));
    return { timing: lap(), evaluation: { losses: results.map((r) => r.loss), gradients: results.map((r) => r.gradient) } };
  };
  const at = (s: number): SegmentPoint => ({ from, to, s });
  const start = await evaluate(from);
  const end = await evaluate(to);
  const timed: GradientTimings = { first: start.timing, endpoint: [end.timing], interior: [] };
  const firstRow = await integrateSegment(from, to, start.evaluation, end.evaluation, async (theta, s) => {
    const e = await evaluate(theta, at(s));
    timed.interior.push(e.timing);
    return e.evaluation.gradients;
  }, { method: options.method, tolerance: options.tolerance, maxSplits: options.maxSplits, driving: objectives.length });
  const interior = options.method !== 'first-order';
  const wants = (kind: Timing[]) => wantsSample(kind.map((t) => t.wall));
  while (wants(timed.endpoint) || (interior && wants(timed.interior))) {
    if (wants(timed.endpoint)) timed.endpoint.push((await evaluate([from, to][(timed.endpoint.length + 1) % 2])).timing);
    if (interior && wants(timed.interior)) timed.interior.push((await evaluate(pointOnSegment(from, to, 0.5), at(0.5))).timing);
  }
  return { start, timed, firstRow };
}

export async function runDryRun(options: ComputeOptions & { workers?: number }): Promise<Report> {
  const { run } = options;
  const started = performance.now();
  const manifest = readManifest(run);
  const [first, last] = resolveRange(manifest, options.iterations, run);
  const evalBatchSize = options.evalBatchSize ?? manifest.config.eval_batch_size;
  checkBlocks(options.every ?? 1, [first, last], manifest.training.iterations, options.shard);
  checkBatchStatistics(manifest, options, evalBatchSize);
  checkValidationSet(manifest, options.val, run);
  const dir = lcaDir(run, options.method);
  const mine = options.shard ? shardRange(first, last, options.shard) : [first, last] as [number, number];
  const todo = !mine ? [] : options.force ? [mine] : missingRanges(listParts(dir), mine[0], mine[1]);
  const rows = rowCount(todo);
  const observed = options.method === 'adaptive' && !options.force ? await observedSplits(dir) : null;

  const setupStarted = performance.now();
  const data = modelSource(run, manifest, options); // the model and data `lca compute` differentiates
  const indices = options.subset === undefined ? undefined : subsetIndices({ count: options.subset, of: manifest.dataset.train_count, seed: options.subsetSeed ?? 0 });
  const { backend, objectives } = await openObjectives(data, [
    { set: data.train, evalBatchSize, options: { indices, byClass: !!options.perClass } },
    ...(options.val ? [{ set: data.val, evalBatchSize }] : []),
  ], options);
  const train = objectives[0];
  const setup = seconds(setupStarted);
  // θ_a and θ_{a+1} of the first row to compute (or of the range, when everything is computed already).
  const a = Math.min(todo[0]?.[0] ?? first, manifest.training.iterations - 1);
  const interior = options.method !== 'first-order';
  // The objectives hold ONNX Runtime sessions (with --sessions, threads too): released however the measuring ends.
  let measured;
  try {
    const thetas: Float32Array[] = [];
    for await (const iterate of readIterates(run, manifest, a, a + 1)) thetas.push(iterate.theta);
    measured = await measureFirstRow(objectives, thetas[0], thetas[1], options);
  } finally {
    for (const o of objectives) await o.dispose();
  }
  const { start, timed, firstRow } = measured;
  const splits = options.method === 'adaptive' ? observed?.splits ?? firstRow.splits : firstRow.splits;
  const peakRss = process.resourceUsage().maxRSS * 1024;

  const workers = Math.max(1, options.workers ?? 1);
  const shares = mine ? Array.from({ length: workers }, (_, k) => shardRange(mine[0], mine[1], { index: k, count: workers })).filter((r) => r !== null) : [];
  const perWorker = shares.map(([s, e]) => {
    const ranges = missingRanges(options.force ? [] : listParts(dir), s, e);
    return estimateLoop(timed, gradientCount(options.method, rowCount(ranges), ranges.length, splits)) ?? { wall: 0, cpu: 0 };
  });
  const loop = Math.max(0, ...perWorker.map((w) => w.wall));
  const loopCpu = perWorker.reduce((sum, w) => sum + w.cpu, 0);
  const median = (kind: Timing[], k: keyof Timing) => (kind.length > 0 ? medianOf(kind.map((t) => t[k])) : 0);
  const count = gradientCount(options.method, rows, todo.length, splits);
  const K = manifest.model.parameters;
  const classes = options.perClass ? train.classCounts.length : 0;
  const stored = { store: options.store ?? 'full', every: options.every ?? 1 };
  const layout = lcaLayout(manifest.model.variables, options.val, classes, stored);
  const metadata = { 'lca.kind': 'lca', 'lca.variables': JSON.stringify(manifest.model.variables), 'lca.compute': '{}' };
  const lcaPart = await measurePart(layout, metadata);
  // With --every k a stored row is a block of k iterations, and a part holds --part-size blocks.
  const parts = partCount(todo, options.partSize * stored.every);
  let disk = partBytes(storedRows(todo, stored.every), parts, lcaPart.row, lcaPart.part);
  if (options.saveGradients) {
    const g = await measurePart(gradientsLayout(manifest.model.variables), metadata);
    disk += partBytes(rows + (mine && mine[1] === manifest.training.iterations - 1 ? 1 : 0), parts, g.row, g.part);
  }
  // Beyond this process's peak, a compute holds the integrator's sums (3 float64 vectors per loss, Simpson) and a batch of rows being written.
  const integrator = objectives.length * (3 * 8 * K) + 2 * 8 * K; // and the row's LCA and its block's sum
  const memory = workers * (peakRss + integrator + rowsPerBatch(layout) * lcaPart.row);
  const splitNote = options.method === 'first-order' ? 'first-order: ∇L(θ_t) only'
    : options.method === 'simpson' ? 'simpson: the midpoint and θ_{t+1}'
      : observed ? (stored.every > 1
        ? `adaptive: the mean of the ${observed.rows} computed blocks' largest splits, an upper bound (a block row keeps its iterations' largest)`
        : `adaptive: the mean splits of the ${observed.rows} rows already computed`)
        : `adaptive: row ${a} needed ${firstRow.splits} (error ${firstRow.errors[0].toExponential(2)}), ASSUMED for every row (early rows, with the largest steps, double most)`;
  const estimate: [string, number | string, string][] = [
    ['rows', rows, todo.length > 0 ? `in ${todo.length} range(s)` : 'nothing left to compute'],
    ['workers', workers, workers > 1 ? 'rows split as --shard k/n; assumes a free core per worker' : ''],
    ['splits_per_row', splits, splitNote],
    ['gradients', count.endpoint + count.interior, `${count.endpoint} at iterates (one per row + one per range start), ${count.interior} inside segments; each over ${objectives.length === 2 ? 'training + validation' : 'training'} data`],
    ['setup_seconds', setup, 'data, engine and evaluation batches, measured'],
    ['first_gradient_seconds', start.timing.wall, `measured at θ_${a} (warm-up included)`],
    ['gradient_seconds', median(timed.endpoint, 'wall'), `${timings(timed.endpoint)} at θ_${a + 1}${timed.endpoint.length > 1 ? ` and θ_${a}` : ''}`],
    ['interior_gradient_seconds', median(timed.interior, 'wall'), interior ? `${timings(timed.interior)} inside row ${a}'s segment` : 'not needed'],
    ['gradient_cpu_seconds', median(timed.endpoint, 'cpu'), 'the same gradients in CPU seconds (every thread): a shared load moves them far less'],
    ['load_average', os.loadavg()[0], 'of this machine over the last minute, while measuring: a compute under another load takes longer or shorter'],
    ['estimated_seconds', loop, 'the compute loop, as `lca compute` times it'],
    ['estimated_cpu_seconds', loopCpu, 'the same loop in CPU seconds (of all workers), as `lca compute` reports it too'],
    ['estimated_wall_seconds', loop + setup, 'plus setup'],
    ['peak_memory_bytes', memory, `this dry run's peak RSS (same data and batches) + integrator ${integrator} + write buffer${workers > 1 ? `, × ${workers} workers` : ''}`],
    ['disk_bytes', disk, `${parts} part(s) × ${lcaPart.part} fixed + ${storedRows(todo, stored.every)} row(s) × ${lcaPart.row} (--store ${stored.store}${stored.every > 1 ? `, --every ${stored.every}` : ''})${options.saveGradients ? ', with gradients' : ''}`],
  ];
  return {
    report: 'dry-run',
    context: { run, model: manifest.model.name, method: options.method, compute_backend: describeBackend(backend), range: mine ? `${mine[0]}:${mine[1] + 1}` : 'none' },
    summary: { estimated_seconds: loop, estimated_cpu_seconds: loopCpu, estimated_wall_seconds: loop + setup, peak_memory_bytes: memory, disk_bytes: disk, load_average: os.loadavg()[0], dry_run_seconds: seconds(started) },
    tables: [{ name: 'estimate', columns: ['quantity', 'value', 'how'], rows: estimate }],
  };
}
