// Times a compute's first gradient evaluations so that its last log line can set `--dry-run`'s
// estimate (lca/estimate.ts, from these same first gradients) against the seconds it actually took.
import { ASSUMED_SPLITS, gradientCount, loopSeconds, type GradientSeconds } from '../lca/estimate.js';
import type { Method } from '../lca/integrate.js';

export function gradientTimer() {
  const measured: Partial<GradientSeconds> = {};
  return {
    /** Runs one evaluation; the first, the second at an iterate and the first inside a segment are timed. */
    async time<T>(interior: boolean, evaluate: () => Promise<T>): Promise<T> {
      const started = performance.now();
      const result = await evaluate();
      const seconds = (performance.now() - started) / 1000;
      if (measured.first === undefined) measured.first = seconds;
      else if (interior) measured.interior ??= seconds;
      else measured.endpoint ??= seconds;
      return result;
    },
    /** The dry run's estimate for `rows` rows in `ranges` ranges, once the needed gradients were timed. */
    estimate(method: Method, rows: number, ranges: number): { seconds: number; splits: number } | null {
      const splits = method === 'first-order' ? 1 : ASSUMED_SPLITS;
      const { first, endpoint, interior } = measured;
      if (first === undefined || endpoint === undefined || (method !== 'first-order' && interior === undefined)) return null;
      return { seconds: loopSeconds(gradientCount(method, rows, ranges, splits), { first, endpoint, interior: interior ?? 0 }), splits };
    },
  };
}
