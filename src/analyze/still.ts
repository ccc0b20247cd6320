// Which exact-zero LCA entries did not move: LCA[t,i] = ḡ_i·Δθ_i is exactly 0 either when
// θ_{t+1,i} = θ_{t,i} ("did not move") or when the parameter moved but its path-averaged full-data
// gradient is exactly 0 (a dead unit coasting on momentum): counting Δθ = 0 tells the two apart.
import type { Selection } from './groups.js';

export interface StillCounts {
  /** Per row t of the range: parameters with θ_{t+1} = θ_t exactly. */
  rows: number[];
  /** Per layer group of the selection: Σ_t of the same count. */
  layers: number[];
}

/** Fed θ_first … θ_{last+1} in order (`offsets`: each selected variable's start in θ). */
export function stillCounter({ variables, groups }: Selection, offsets: readonly number[]): { add(theta: Float32Array): void; result(): StillCounts } {
  const previous = variables.map((v) => new Float32Array(v.size));
  const rows: number[] = [];
  const layers = groups.map(() => 0);
  let seen = 0;
  return {
    add(theta) {
      const perVariable = variables.map((v, k) => {
        const [before, from] = [previous[k], offsets[k]];
        let still = 0;
        for (let i = 0; i < v.size; i++) {
          still += +(theta[from + i] === before[i]);
          before[i] = theta[from + i];
        }
        return still;
      });
      if (seen++ === 0) return; // θ_first only sets the baseline
      groups.forEach((g, j) => g.members.forEach((k) => (layers[j] += perVariable[k])));
      rows.push(perVariable.reduce((a, b) => a + b, 0));
    },
    result: () => ({ rows, layers }),
  };
}
