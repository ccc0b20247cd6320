// How often parameters oscillate (paper Section 3, "once every 6.7 iterations" for CIFAR–ResNet;
// original `count_oscillations`, conventions §8.2): per parameter, the sign changes over t of the
// weight movement Δθ_t = θ_{t+1} − θ_t (`num_local_optima(weights)`) and of LCA[t] (`num_cross_zero`).
// A change is x_t · x_{t+1} < 0, so a zero never counts and breaks the chain (+, 0, − is no change).
import type { Selection } from './groups.js';
import type { Fold, LcaRow } from './rows.js';

export interface SignChanges {
  /** Σ over the variable's parameters of its sign changes, per selected variable. */
  changes: Float64Array;
  /** Rows seen (T values of x, so T − 1 neighbouring pairs). */
  rows: number;
}

/** Counts previous[i]·current[i] < 0 and moves current into previous; branch-free. */
export function countSignChanges(previous: Float64Array, current: ArrayLike<number>, from = 0): number {
  let n = 0;
  for (let i = 0; i < previous.length; i++) {
    const x = current[from + i];
    n += +(previous[i] * x < 0);
    previous[i] = x;
  }
  return n;
}

/**
 * Sign changes between consecutive rows of any per-variable stream: LCA rows here, and the
 * full-dataset gradients at θ_t once `lca compute` saves them (the original's gradient zero-crossings).
 * Memory: one float64 per parameter (the previous row). Zeros before the first row: it counts nothing.
 */
export function signChangeFold({ variables }: Selection): Fold<SignChanges> {
  const previous = variables.map((v) => new Float64Array(v.size));
  const changes = new Float64Array(variables.length);
  let rows = 0;
  return {
    add(row: LcaRow) {
      for (let k = 0; k < variables.length; k++) changes[k] += countSignChanges(previous[k], row.variable(k));
      rows++;
    },
    result: () => ({ changes, rows }),
  };
}

/** One iterate θ_t, [K] in manifest layout; `offsets[k]` is where selected variable k starts in it. */
export interface DirectionChangeCounter {
  add(theta: Float32Array): void;
  /** rows = the number of movements Δθ seen (iterates − 1). */
  result(): SignChanges;
}

/** Direction changes of the weights from θ_a … θ_b streamed in order; keeps θ_{t} and Δθ_{t−1} only (O(K)). */
export function directionChangeCounter({ variables }: Selection, offsets: readonly number[]): DirectionChangeCounter {
  const previousTheta = variables.map((v) => new Float64Array(v.size));
  const previousDelta = variables.map((v) => new Float64Array(v.size));
  const changes = new Float64Array(variables.length);
  let iterates = 0;
  return {
    add(theta: Float32Array) {
      const moving = +(iterates > 0); // no Δθ before the second iterate: d = 0 counts nothing
      for (let k = 0; k < variables.length; k++) {
        const [before, delta, from] = [previousTheta[k], previousDelta[k], offsets[k]];
        let n = 0;
        for (let i = 0; i < before.length; i++) {
          const x = theta[from + i];
          const d = (x - before[i]) * moving;
          n += +(delta[i] * d < 0);
          delta[i] = d;
          before[i] = x;
        }
        changes[k] += n;
      }
      iterates++;
    },
    result: () => ({ changes, rows: Math.max(0, iterates - 1) }),
  };
}

export interface Oscillation {
  name: string;
  parameters: number;
  changes: number; // Σ over parameters of sign changes
  changesPerParameter: number;
  /** "one change every X iterations": movements / changes per parameter; ∞ when nothing changed. */
  iterationsPerChange: number;
}

/** Per layer (groups) or per variable: sums the per-variable counts of a stream of `movements` rows. */
export function oscillationRates(names: readonly string[], members: readonly number[][], parameters: readonly number[], counts: SignChanges): Oscillation[] {
  return names.map((name, j) => {
    const changes = members[j].reduce((s, k) => s + counts.changes[k], 0);
    const changesPerParameter = changes / parameters[j];
    return { name, parameters: parameters[j], changes, changesPerParameter, iterationsPerChange: counts.rows / changesPerParameter };
  });
}
