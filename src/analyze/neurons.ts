// LCA per output unit (neuron or channel), the original's `get_neurons_plus_biases` (conventions
// §8.1): each variable's LCA summed over every axis but the last, and, within a layer (--merge), the
// bias and batch-norm γ/β of the same unit added — by unit index, not by assuming [kernel, bias] pairs.
import { UsageError } from '../errors.js';
import { unitsOf } from '../lca/aggregate.js';
import type { Selection } from './groups.js';
import type { Fold, LcaRow } from './rows.js';

export interface NeuronLayer {
  name: string;
  /** Σ over the range of each unit's LCA, [units]. */
  units: Float64Array;
}


/** Adds values (C order, last axis = unit) into sums[unit]; rows of the last axis walk contiguously. */
export function addPerUnit(values: Float32Array, sums: Float64Array): void {
  const units = sums.length;
  for (let start = 0; start < values.length; start += units) {
    for (let u = 0; u < units; u++) sums[u] += values[start + u];
  }
}

export function neuronsFold({ variables, groups }: Selection): Fold<NeuronLayer[]> {
  const layers = groups.map((g) => {
    const units = unitsOf(variables[g.members[0]].shape);
    const other = g.members.find((k) => unitsOf(variables[k].shape) !== units);
    if (other !== undefined) {
      const sizes = g.members.map((k) => `${variables[k].name}: ${unitsOf(variables[k].shape)}`).join(', ');
      throw new UsageError(`layer ${g.name}: its variables have different unit counts (${sizes}); use --merge none`);
    }
    return { name: g.name, units: new Float64Array(units) };
  });
  return {
    add(row: LcaRow) {
      groups.forEach((g, j) => g.members.forEach((k) => addPerUnit(row.units?.(k) ?? row.variable(k), layers[j].units)));
    },
    result: () => layers,
  };
}

export interface RankedUnit {
  unit: number;
  lca: number;
}

/** A layer's units from most helpful (most negative LCA) to most hurtful; ties by unit index. */
export const rankUnits = (units: Float64Array): RankedUnit[] =>
  Array.from(units, (lca, unit) => ({ unit, lca })).sort((a, b) => a.lca - b.lca || a.unit - b.unit);
