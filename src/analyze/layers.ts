// Total LCA per variable and per layer (kernel and bias merged, as the paper's Fig. 4 does), with
// each one's share of the total. The original code keeps bias separate (§8.1); `variables` has that view.
import { layerOf } from '../models/network.js';
import type { Fold, LcaRow, VariableInfo } from './rows.js';

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
}

export function sumValues(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum;
}

export function layersFold(variables: readonly VariableInfo[]): Fold<LayersResult> {
  const sums = new Float64Array(variables.length);
  return {
    add(row: LcaRow) {
      variables.forEach((_, k) => (sums[k] += sumValues(row.variable(k))));
    },
    result() {
      const total = sums.reduce((a, b) => a + b, 0);
      const share = (lca: number) => (total === 0 ? 0 : lca / total);
      const byLayer = new Map<string, { parameters: number; lca: number }>();
      variables.forEach((v, k) => {
        const entry = byLayer.get(layerOf(v.name)) ?? { parameters: 0, lca: 0 };
        entry.parameters += v.size;
        entry.lca += sums[k];
        byLayer.set(layerOf(v.name), entry);
      });
      return {
        total,
        layers: [...byLayer].map(([name, e]) => ({ name, parameters: e.parameters, lca: e.lca, share: share(e.lca) })),
        variables: variables.map((v, k) => ({ name: v.name, parameters: v.size, lca: sums[k], share: share(sums[k]) })),
      };
    },
  };
}
