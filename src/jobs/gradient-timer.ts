// Times a compute's first gradient evaluations so that its last log line can set `--dry-run`'s
// estimate (lca/estimate.ts: the first gradient, then the median of up to SAMPLES of each kind, as the
// dry run takes them) against the seconds it actually took.
import { SAMPLES, gradientCount, loopSeconds, median } from '../lca/estimate.js';
import type { Method } from '../lca/integrate.js';

export function gradientTimer() {
  let first: number | undefined;
  const timed = { endpoint: [] as number[], interior: [] as number[] };
  return {
    /** Runs one evaluation; the first, then up to SAMPLES at iterates and SAMPLES inside segments are timed. */
    async time<T>(interior: boolean, evaluate: () => Promise<T>): Promise<T> {
      const started = performance.now();
      const result = await evaluate();
      const seconds = (performance.now() - started) / 1000;
      const kind = timed[interior ? 'interior' : 'endpoint'];
      if (first === undefined) first = seconds;
      else if (kind.length < SAMPLES) kind.push(seconds);
      return result;
    },
    /** The dry run's estimate for `rows` rows in `ranges` ranges, every row taking `splits` (the first row's), once the needed gradients were timed. */
    estimate(method: Method, rows: number, ranges: number, splits: number): { seconds: number; splits: number } | null {
      const { endpoint, interior } = timed;
      if (first === undefined || endpoint.length === 0 || (method !== 'first-order' && interior.length === 0)) return null;
      const seconds = { first, endpoint: median(endpoint), interior: interior.length > 0 ? median(interior) : 0 };
      return { seconds: loopSeconds(gradientCount(method, rows, ranges, splits), seconds), splits };
    },
  };
}
