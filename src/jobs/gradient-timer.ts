// Times gradient evaluations for the cost estimate of `--dry-run` and of a compute's last log line
// (lca/estimate.ts: the first gradient, then the median of up to SAMPLES of each kind), by the wall
// clock and in CPU seconds: on a shared machine a process's CPU seconds move far less with the load.
import { SAMPLES, gradientCount, loopSeconds, median, type GradientCount } from '../lca/estimate.js';
import type { Method } from '../lca/integrate.js';

export interface Timing {
  wall: number;
  /** This process's CPU seconds, user + system, every thread (ONNX Runtime's pool included). */
  cpu: number;
}

/** Starts a stopwatch; calling the result reads it. */
export function stopwatch(): () => Timing {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
}

/** The gradients an estimate rests on: the process's first (warm-up included), then those at iterates and inside segments. */
export interface GradientTimings {
  first?: Timing;
  endpoint: Timing[];
  interior: Timing[];
}

/** Seconds of a loop of `count` gradients by the wall clock and in CPU; null until the kinds it needs were timed. */
export function estimateLoop(timed: GradientTimings, count: GradientCount): Timing | null {
  const { first, endpoint, interior } = timed;
  if (!first || endpoint.length === 0 || (count.interior > 0 && interior.length === 0)) return null;
  const seconds = (k: keyof Timing) => loopSeconds(count, {
    first: first[k], endpoint: median(endpoint.map((t) => t[k])), interior: interior.length > 0 ? median(interior.map((t) => t[k])) : 0,
  });
  return { wall: seconds('wall'), cpu: seconds('cpu') };
}

/** A compute's timer: its first gradient, then up to SAMPLES at iterates and SAMPLES inside segments. */
export function gradientTimer() {
  const timed: GradientTimings = { endpoint: [], interior: [] };
  return {
    async time<T>(interior: boolean, evaluate: () => Promise<T>): Promise<T> {
      const lap = stopwatch();
      const result = await evaluate();
      const t = lap();
      const kind = timed[interior ? 'interior' : 'endpoint'];
      if (!timed.first) timed.first = t;
      else if (kind.length < SAMPLES) kind.push(t);
      return result;
    },
    /** The dry run's estimate for `rows` rows in `ranges` ranges, every row taking `splits` (the first row's). */
    estimate(method: Method, rows: number, ranges: number, splits: number): (Timing & { splits: number }) | null {
      const loop = estimateLoop(timed, gradientCount(method, rows, ranges, splits));
      return loop && { ...loop, splits };
    },
  };
}
