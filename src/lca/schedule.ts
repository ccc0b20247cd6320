// Range arithmetic for LCA work: the rows --iterations asks for, which rows shard k of n computes, and
// where the shard comes from (--shard, a Slurm job array, a Kubernetes Indexed Job). Pure: the environment is passed in.
import { UsageError } from '../errors.js';

/**
 * Rows a … b (inclusive) of a run with `iterations` rows, as every command's `--iterations a:b+1` asks;
 * an open end (`a:`) is `Infinity` or MAX_SAFE_INTEGER and stops at the last row. Outside the run is a usage error (exit 2).
 */
export function checkIterationRange(run: string, [a, b]: [number, number], iterations: number): [number, number] {
  const last = iterations - 1;
  const open = b >= Number.MAX_SAFE_INTEGER;
  if (a < 0 || a > last || (!open && b > last) || a > b) {
    throw new UsageError(`--iterations ${a}:${open ? '' : b + 1} is outside ${run}'s rows 0:${iterations}`);
  }
  return [a, Math.min(b, last)];
}

/** Shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
  /** Where it came from, for logs and error messages, e.g. `--shard 2/4` or `SLURM_ARRAY_TASK_ID=7`. */
  source: string;
}

/**
 * Rows of shard k of n within first … last (inclusive): n contiguous ranges in order that cover
 * every row once, sizes differing by at most one. Null when the shard is empty (n > rows).
 */
export function shardRange(first: number, last: number, shard: Pick<Shard, 'index' | 'count'>): [number, number] | null {
  const rows = last - first + 1;
  const start = first + Math.floor((shard.index * rows) / shard.count);
  const end = first + Math.floor(((shard.index + 1) * rows) / shard.count) - 1;
  return end >= start ? [start, end] : null;
}

const INTEGER = /^\d+$/;

/** `k/n` → shard k of n, 0-based: `0/4` … `3/4`. */
export function parseShard(value: string, source = `--shard ${value}`): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m) throw new UsageError(`${source}: expected k/n with 0 ≤ k < n, e.g. 0/4 … 3/4`);
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count < 1) throw new UsageError(`${source}: the number of shards must be at least 1`);
  if (index >= count) throw new UsageError(`${source}: shards are numbered from 0, so k must be below n = ${count} (0/${count} … ${count - 1}/${count})`);
  return { index, count, source };
}

function integerVar(env: Record<string, string | undefined>, name: string): number {
  const value = env[name];
  if (value === undefined || !INTEGER.test(value.trim())) {
    throw new UsageError(`${name}=${value ?? ''} is not a non-negative integer (needed to pick this process's shard)`);
  }
  return Number(value);
}

/**
 * The shard a cluster scheduler assigned through the environment, or null outside one.
 * Slurm job arrays: (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP of
 * SLURM_ARRAY_TASK_COUNT, so `--array=1-8` and `--array=0-7` both give shards 0 … 7.
 * Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX of LCA_SHARD_COUNT (Kubernetes sets no count variable).
 */
export function shardFromEnv(env: Record<string, string | undefined>): Shard | null {
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = integerVar(env, 'SLURM_ARRAY_TASK_ID');
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : integerVar(env, 'SLURM_ARRAY_TASK_MIN');
    const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : Math.max(1, integerVar(env, 'SLURM_ARRAY_TASK_STEP'));
    const count = integerVar(env, 'SLURM_ARRAY_TASK_COUNT');
    const source = `SLURM_ARRAY_TASK_ID=${id} (min ${min}, step ${step}, count ${count})`;
    if ((id - min) % step !== 0 || id < min) throw new UsageError(`${source}: not a task of a contiguous job array`);
    return parseShard(`${(id - min) / step}/${count}`, source);
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.LCA_SHARD_COUNT === undefined) {
      throw new UsageError('JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but LCA_SHARD_COUNT is not; set it to the Job\'s completions');
    }
    const index = integerVar(env, 'JOB_COMPLETION_INDEX');
    const count = integerVar(env, 'LCA_SHARD_COUNT');
    return parseShard(`${index}/${count}`, `JOB_COMPLETION_INDEX=${index} of LCA_SHARD_COUNT=${count}`);
  }
  return null;
}

/** Total rows in inclusive ranges. */
export const rowCount = (ranges: readonly (readonly [number, number])[]): number => ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
