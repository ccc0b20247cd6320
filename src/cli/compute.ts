// `lca compute`: flags → runCompute, or runWorkers for --workers. The shard comes from --shard or,
// without it, from a Slurm job array or a Kubernetes Indexed Job (lca/schedule.ts).
import path from 'node:path';
import { Command, Option } from 'commander';
import { FORMATS, render, type Format } from '../report/format.js';
import { STORES, type Store } from '../lca/aggregate.js';
import { UsageError } from '../errors.js';
import { DEFAULT_MAX_SPLITS, DEFAULT_TOLERANCE, type Method } from '../lca/integrate.js';
import type { BackendChoice } from '../backend/names.js';
import { backendOption, examples, logLevelOption, methodOption, PROJECT_ROOT, reporterFrom, sessionsOption, threadsOption, writeOut } from './common.js';
import { parseShard, shardFromEnv, type Shard } from '../lca/schedule.js';
import { parseIterationRange, parseInteger, parsePositiveInteger, parsePositiveNumber, parseSplitCap } from './parse.js';
import type { LogLevel } from './console.js';

interface ComputeFlags {
  run: string;
  method: Method;
  val?: boolean;
  perClass?: boolean;
  saveGradients?: boolean;
  subset?: number;
  subsetSeed?: number;
  allowEvalBatchChange?: boolean;
  iterations?: [number, number | undefined];
  tolerance: number;
  maxSplits: number;
  evalBatchSize?: number;
  partSize: number;
  shard?: Shard;
  workers?: number;
  threads?: number;
  sessions?: number;
  backend: BackendChoice;
  dataDir?: string;
  force?: boolean;
  breakLock?: boolean;
  dryRun?: boolean;
  store: Store;
  every: number;
  format?: Format;
  logLevel: LogLevel;
}

export const computeCommand = () =>
  new Command('compute')
    .description('integrate full-training-set gradients along the saved path and write the T×K LCA matrix')
    .addHelpText('after', examples('lca compute --run runs/fc 2> compute.log', 'lca compute --run runs/fc --iterations 0:50 --workers 2', 'lca compute --run runs/resnet --sessions 2', 'lca compute --run runs/resnet --store layers --every 10'))
    .requiredOption('-r, --run <dir>', 'run directory made by `lca train`')
    .addOption(methodOption().default('adaptive'))
    .option('--val', 'also integrate the validation loss; the larger error drives splitting')
    .option('--per-class', 'also the LCA of each class\'s loss, from the same passes (networks without batch norm)')
    .option('--save-gradients', 'keep the full-training-set gradient at every iterate (for `analyze --report oscillations`)')
    .option('--subset <n>', 'approximate: evaluate the training loss on n seeded examples, not all of them', parsePositiveInteger)
    .option('--subset-seed <s>', 'seed of --subset\'s draw (numpy RandomState)', parseInteger, 0)
    .option('--iterations <a:b>', 'compute rows a … b−1 only (default: all)', parseIterationRange)
    .option('--tolerance <nats>', 'adaptive: split while |ΔL − ΣLCA| exceeds this (> 0)', parsePositiveNumber, DEFAULT_TOLERANCE)
    .option('--max-splits <n>', 'adaptive: at most this many Simpson intervals (a power of two ≥ 2)', parseSplitCap, DEFAULT_MAX_SPLITS)
    .option('--eval-batch-size <n>', 'evaluation batch (default: the run\'s eval_batch_size)', parsePositiveInteger)
    .option('--allow-eval-batch-change', 'batch-norm runs: accept an --eval-batch-size other than the run\'s (it changes the loss)')
    .option('--part-size <n>', 'iterations per part file (a killed compute loses at most one part)', parsePositiveInteger, 50)
    .option('--shard <k/n>', 'compute shard k of n (0-based: 0/4 … 3/4), a contiguous 1/n of the rows (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX + LCA_SHARD_COUNT)', (v: string) => parseShard(v))
    .option('--workers <n>', 'split the rows among n processes on this machine, each with cores/n threads (n × the memory; pays on long computes)', parsePositiveInteger)
    .addOption(threadsOption())
    .addOption(sessionsOption())
    .addOption(backendOption().default('auto'))
    .option('--data-dir <dir>', 'folder with the dataset files, if not where training found them')
    .option('--force', 'discard results already computed with this method and recompute')
    .option('--break-lock', 'ignore (and remove) other computes\' leases on this method folder, e.g. of a cancelled job on another host whose lease is not stale yet')
    .addOption(new Option('--store <what>', 'what a row keeps, for models whose T×K matrix does not fit: full (every parameter), units (per output unit), layers (one sum per variable); reports that need every parameter refuse units and layers').choices(STORES).default('full'))
    .option('--every <k>', 'one row per block of k iterations from 0, its LCA, loss change and error summed (rows stay grounded); not with --shard or --workers', parsePositiveInteger, 1)
    .option('--dry-run', 'print the estimated seconds (wall and CPU), peak memory and disk for these flags (the first row integrated, gradients timed) and compute nothing')
    .addOption(new Option('-f, --format <format>', '--dry-run: output format (default: table on a terminal, tsv otherwise)').choices(FORMATS))
    .addOption(logLevelOption())
    .action(async (flags: ComputeFlags) => {
      const { readManifest } = await import('../store/manifest.js');
      const range = flags.iterations;
      const last = range && range[1] === undefined ? readManifest(flags.run).training.iterations - 1 : range?.[1];
      const options = {
        run: flags.run, method: flags.method, val: !!flags.val, perClass: !!flags.perClass, saveGradients: !!flags.saveGradients,
        subset: flags.subset, subsetSeed: flags.subsetSeed, allowEvalBatchChange: !!flags.allowEvalBatchChange,
        iterations: range ? [range[0], last!] as [number, number] : undefined, shard: flags.shard ?? shardFromEnv(process.env) ?? undefined,
        tolerance: flags.tolerance, maxSplits: flags.maxSplits, evalBatchSize: flags.evalBatchSize, partSize: flags.partSize,
        store: flags.store, every: flags.every,
        backend: flags.backend, threads: flags.threads, sessions: flags.sessions, dataDir: flags.dataDir, force: !!flags.force, breakLock: !!flags.breakLock, projectRoot: PROJECT_ROOT, reporter: reporterFrom(flags),
      };
      if (flags.workers !== undefined && flags.every > 1) throw new UsageError(`--workers with --every ${flags.every}: workers split rows, not blocks; compute the blocks in one process`);
      if (flags.dryRun) {
        const { runDryRun } = await import('../jobs/dry-run.js');
        writeOut(render(await runDryRun({ ...options, workers: flags.workers }), flags.format ?? (process.stdout.isTTY ? 'table' : 'tsv')));
      } else if (flags.workers !== undefined) {
        const { runWorkers } = await import('../jobs/workers.js');
        await runWorkers({ ...options, workers: flags.workers, binary: path.join(PROJECT_ROOT, 'bin', 'lca.js') });
      } else {
        const { runCompute } = await import('../jobs/compute.js');
        await runCompute(options);
      }
    });
