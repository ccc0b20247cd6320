// Initial parameters θ_0, drawn in pure TypeScript from numpy's legacy MT19937 so that a seed
// gives the same θ_0 on every backend (and in a numpy/PyTorch peer).
import { RandomState } from '../data/mt19937.js';
import { layoutOf, type VariableSpec } from './network.js';

// TF 1.13's he_normal is VarianceScaling(2, fan_in, truncated_normal): a normal truncated at
// ±2σ whose σ is divided by 0.87962566103423978, the std of a unit normal truncated at ±2, so
// the truncated draw keeps variance 2/fan_in (original-conventions.md §3, "Kernel init").
const TRUNCATED_NORMAL_STD = 0.87962566103423978;

/** fan_in: `in` for a Dense kernel (in, out); kh·kw·cin for an HWIO conv kernel. */
export const fanIn = (shape: readonly number[]): number => shape.slice(0, -1).reduce((a, b) => a * b, 1);

export function initialParameters(variables: readonly VariableSpec[], seed: number): Float32Array {
  const { slots, total } = layoutOf(variables);
  const theta = new Float32Array(total);
  const rng = new RandomState(seed);
  for (const slot of slots) {
    const values = theta.subarray(slot.offset, slot.offset + slot.size);
    if (slot.init === 'ones') values.fill(1);
    if (slot.init === 'he_truncated_normal') {
      const stddev = Math.sqrt(2 / fanIn(slot.shape)) / TRUNCATED_NORMAL_STD;
      for (let i = 0; i < values.length; i++) values[i] = rng.truncatedNormal(stddev);
    }
  }
  return theta;
}
