// `lca compute --workers N`: split the rows among N child processes of the same binary, each
// `--shard k/N` of them (the cluster mechanism, on one machine), relay their logs as ours, and fail
// naming every worker that failed. Parts a worker finished are kept, so a rerun resumes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import { resolveThreads } from '../backend/names.js';
import { LcaError, UsageError } from '../errors.js';
import { rowCount, shardRange } from '../lca/schedule.js';
import { assertNoWriters } from '../store/compute-lease.js';
import { lcaDir, listParts } from '../store/lca-parts.js';
import { missingRanges } from '../store/ranges.js';
import { readManifest } from '../store/manifest.js';
import { resolveRange } from './compute-checks.js';
import type { ComputeOptions, ComputeSummary } from './compute.js';
import { PARENT_ENV } from './compute-guard.js';

export interface WorkersOptions extends ComputeOptions {
  workers: number;
  /** The `lca` entry script the workers run (bin/lca.js). */
  binary: string;
}

const SUMMED = ['computed', 'skipped', 'gradients', 'endpoint_gradients'] as const;

function workerArgs(options: WorkersOptions, [first, last]: [number, number], k: number, count: number): string[] {
  return [
    options.binary, 'compute', '--run', options.run, '--method', options.method,
    '--iterations', `${first}:${last + 1}`, '--shard', `${k}/${count}`,
    '--tolerance', String(options.tolerance), '--max-splits', String(options.maxSplits), '--part-size', String(options.partSize),
    '--backend', options.backend, '--threads', String(resolveThreads(options.threads, count * (options.sessions ?? 1))),
    ...(options.sessions !== undefined ? ['--sessions', String(options.sessions)] : []), '--log-level', 'debug', // debug carries the per-iteration lines that drive our progress
    ...(options.val ? ['--val'] : []),
    ...(options.perClass ? ['--per-class'] : []),
    ...(options.saveGradients ? ['--save-gradients'] : []),
    ...(options.store !== undefined ? ['--store', options.store] : []),
    ...(options.subset !== undefined ? ['--subset', String(options.subset), '--subset-seed', String(options.subsetSeed ?? 0)] : []),
    ...(options.allowEvalBatchChange ? ['--allow-eval-batch-change'] : []),
    ...(options.evalBatchSize !== undefined ? ['--eval-batch-size', String(options.evalBatchSize)] : []),
    ...(options.dataDir !== undefined ? ['--data-dir', options.dataDir] : []),
    ...(options.breakLock ? ['--break-lock'] : []),
  ];
}

interface Outcome { code: number | null; signal: NodeJS.Signals | null; lastError: string }

export async function runWorkers(options: WorkersOptions): Promise<ComputeSummary> {
  const { run, reporter } = options;
  const manifest = readManifest(run);
  const [first, last] = resolveRange(manifest, options.iterations, run);
  const mine = options.shard ? shardRange(first, last, options.shard) : [first, last] as [number, number];
  const summary: ComputeSummary = { computed: 0, skipped: 0, gradients: 0, endpoint_gradients: 0, seconds: 0 };
  if (!mine) return summary;
  const dir = lcaDir(run, options.method);
  if (options.force && options.shard) throw new UsageError(`--force with a shard (${options.shard.source}) would delete the other shards' parts; remove ${dir} once before starting the shards`);
  if (options.force) { // once, here: a worker's --force would delete its siblings' parts
    if (!options.breakLock) assertNoWriters(dir, '--force');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const rows = mine[1] - mine[0] + 1;
  const count = Math.min(options.workers, rows);
  const total = rowCount(missingRanges(listParts(dir), mine[0], mine[1]));
  reporter.info(`${count} workers for rows ${mine[0]}-${mine[1]} (${total} to compute)` + (count < options.workers ? `; only ${rows} rows, so not ${options.workers}` : ''));

  const progress = reporter.progress(`computing LCA (${options.method}, ${count} workers)`);
  const started = performance.now();
  let done = 0;
  const children: ChildProcess[] = [];
  const forward = (signal: NodeJS.Signals) => children.forEach((c) => c.kill(signal)); // a killed parent must not orphan workers
  process.on('SIGINT', forward).on('SIGTERM', forward);
  try {
    const outcomes = await Promise.all(Array.from({ length: count }, (_, k) => new Promise<Outcome>((resolve, reject) => {
      const env = { ...process.env, [PARENT_ENV]: String(process.pid) }; // a worker stops when we die, even by SIGKILL
      const child = spawn(process.execPath, workerArgs(options, mine, k, count), { stdio: ['ignore', 'inherit', 'pipe'], env });
      children.push(child);
      const outcome: Outcome = { code: null, signal: null, lastError: '' };
      const tag = `worker ${k}/${count}`;
      readline.createInterface({ input: child.stderr! }).on('line', (line) => {
        let entry: { level?: number; msg?: string; time?: number; [field: string]: unknown };
        try {
          entry = JSON.parse(line);
        } catch {
          outcome.lastError = line; // the worker's one-line error, or anything not from its logger
          reporter.warn(`${tag}: ${line}`, { worker: k });
          return;
        }
        const { level = 30, msg = '', time: _time, ...fields } = entry;
        if (msg === 'iteration') progress.update(++done, total);
        if (typeof fields.computed === 'number' && typeof fields.gradients === 'number') {
          for (const key of SUMMED) summary[key] += Number(fields[key] ?? 0);
        }
        reporter[level >= 40 ? 'warn' : level >= 30 ? 'info' : 'debug'](`${tag}: ${msg}`, { worker: k, ...fields });
      });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ ...outcome, code, signal }));
    })));
    const failed = outcomes.flatMap((o, k) => (o.code === 0 ? [] : [
      `worker ${k}/${count} (rows ${shardRange(mine[0], mine[1], { index: k, count })!.join('-')}) ` +
      (o.signal ? `was killed by ${o.signal}` : `exited with code ${o.code}`) + (o.lastError ? `: ${o.lastError}` : ''),
    ]));
    if (failed.length > 0) throw new LcaError(`${failed.join('; ')} (finished parts are kept; rerun to resume)`);
  } finally {
    process.off('SIGINT', forward).off('SIGTERM', forward);
    progress.stop();
  }
  summary.seconds = (performance.now() - started) / 1000;
  reporter.info(`computed ${summary.computed} iterations with ${count} workers in ${summary.seconds.toFixed(1)} s ` +
    `(${summary.gradients} gradient evaluations, ${summary.endpoint_gradients} at range starts)`, { ...summary, workers: count });
  return summary;
}
