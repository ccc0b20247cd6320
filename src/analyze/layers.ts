// LCA per layer and per variable: totals over the run with shares of the total, whether the layer
// hurt overall (paper Section 4: ResNet's first and last layers), and the per-iteration curve of each
// layer (each layer's own "loss curve", Section 5; the original's `helped_by_layer`, §8.2).
import type { Selection } from './groups.js';
import { variableTotal, type Fold, type LcaRow } from './rows.js';

export interface LcaTotal {
  name: string;
  parameters: number;
  lca: number; // Σ over iterations and parameters; negative = helped
  share: number; // lca / total LCA
}

export interface LayersResult {
  total: number;
  layers: LcaTotal[];
  variables: LcaTotal[];
  iterations: number[];
  /** The iterate after the last row (rows may be blocks of iterations: --every). */
  end: number;
  /** Per layer, its LCA at each iteration: series[g][t], [G][T]. */
  series: Float64Array[];
}

export function layersFold({ variables, groups }: Selection): Fold<LayersResult> {
  const sums = new Float64Array(variables.length);
  const rows: Float64Array[] = []; // [T][variables]
  const iterations: number[] = [];
  let end = 0;
  return {
    add(row: LcaRow) {
      const perVariable = new Float64Array(variables.length);
      for (let k = 0; k < variables.length; k++) perVariable[k] = variableTotal(row, k);
      for (let k = 0; k < variables.length; k++) sums[k] += perVariable[k];
      rows.push(perVariable);
      iterations.push(row.iteration);
      end = row.iteration + (row.span ?? 1);
    },
    result() {
      const total = sums.reduce((a, b) => a + b, 0);
      const share = (lca: number) => (total === 0 ? 0 : lca / total);
      const series = groups.map((g) => Float64Array.from(rows, (r) => g.members.reduce((s, k) => s + r[k], 0)));
      const layers = groups.map((g) => {
        const lca = g.members.reduce((s, k) => s + sums[k], 0);
        return { name: g.name, parameters: g.parameters, lca, share: share(lca) };
      });
      return {
        total,
        layers,
        variables: variables.map((v, k) => ({ name: v.name, parameters: v.size, lca: sums[k], share: share(sums[k]) })),
        iterations,
        end,
        series,
      };
    },
  };
}
