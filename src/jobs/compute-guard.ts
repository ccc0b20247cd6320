// What keeps a running `lca compute` honest about where its rows go: the lease on its method folder
// (store/compute-lease.ts), the weights.arrow it started from (a part is renamed into place only while
// the run still holds that file), its parent when it is a `--workers` child (it stops when the parent
// dies), and finite inputs (a diverged iterate is refused at once, before any Simpson doubling).
import fs from 'node:fs';
import path from 'node:path';
import { InputError, LcaError } from '../errors.js';
import { acquireComputeLease, type ComputeClaim, type ComputeLease } from '../store/compute-lease.js';
import { listTemporaries } from '../store/temporaries.js';
import { sameFile, statWeights } from '../store/weights-fingerprint.js';
import { WEIGHTS_FILE } from '../store/weights.js';
import { thisHost } from '../util/process.js';

/** Set by `lca compute --workers` in each worker's environment: the pid the worker must outlive no longer than. */
export const PARENT_ENV = 'LCA_WORKER_PARENT_PID';

export interface ComputeGuard {
  /** Called at every gradient: renews the lease, stops a worker whose parent died. */
  tick(): void;
  /** Called right before a part is renamed into place. */
  beforeCommit(): void;
  /** θ_i as read, and L(θ_i) once evaluated: a non-finite one is an InputError naming the iterate. */
  checkIterate(iteration: number, first: number, theta: Float32Array, loss?: number): void;
  /** Gives up the lease and removes this process's own unfinished part files. */
  release(): void;
}

function parentCheck(env: NodeJS.ProcessEnv): () => void {
  const parent = Number(env[PARENT_ENV]);
  if (!Number.isInteger(parent) || parent <= 0) return () => {};
  return () => {
    // Orphans are adopted by init (or a subreaper), so a changed ppid means the parent is gone.
    if (process.ppid !== parent) throw new LcaError(`the \`lca compute --workers\` process ${parent} that started this worker has ended; stopping`);
  };
}

export function guardCompute(run: string, dirs: string[], claim: ComputeClaim, options: { breakLock?: boolean; env?: NodeJS.ProcessEnv } = {}): ComputeGuard {
  const parentAlive = parentCheck(options.env ?? process.env);
  parentAlive();
  const weights = statWeights(run);
  const lease: ComputeLease = acquireComputeLease(dirs[0], claim, { breakLock: options.breakLock });
  return {
    tick() {
      parentAlive();
      lease.heartbeat();
    },
    beforeCommit() {
      parentAlive();
      lease.verify();
      if (!sameFile(weights, statWeights(run))) {
        throw new LcaError(`${path.join(run, WEIGHTS_FILE)} was replaced while computing (a new training?); stopping, so that no part of the old weights lands in the new run`);
      }
    },
    checkIterate(iteration, first, theta, loss) {
      const finite = loss === undefined ? theta.every(Number.isFinite) : Number.isFinite(loss);
      if (finite) return;
      const what = loss === undefined ? `θ_${iteration} holds NaN or Inf weights` : `the loss at θ_${iteration} is ${loss}`;
      const before = iteration - 1 > first ? `; rows ${first}-${iteration - 2} can be computed with --iterations ${first}:${iteration - 1}` : '';
      throw new InputError(`${path.join(run, WEIGHTS_FILE)}: ${what} (the training diverged), so row ${Math.max(first, iteration - 1)} and after have no LCA${before}`);
    },
    release() {
      lease.release();
      for (const dir of dirs) {
        for (const t of listTemporaries(dir)) if (t.host === thisHost() && t.pid === process.pid) fs.rmSync(t.file, { force: true });
      }
    },
  };
}
