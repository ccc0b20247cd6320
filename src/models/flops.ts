// Training FLOPs per example by variable, from the architecture tables (shapes and Layer.trace's
// positions): what `analyze --report freeze` and `compute --dry-run` multiply by batches and rows.
// A multiply-add counts 2 FLOPs; activations, pooling, batch norm's statistics and the optimizer are left out.
import type { Network } from './network.js';

export interface VariableFlops {
  forward: number;
  /** ∂L/∂(this variable). */
  parameterGradient: number;
  /** ∂L/∂(its layer's input) that this variable's operation passes down (0 for an addition). */
  inputGradient: number;
}

/** A kernel (rank ≥ 2) or batch norm's γ multiplies; a bias or β adds. */
const multiplies = (name: string, shape: readonly number[]) => shape.length >= 2 || /(^|\/)gamma$/.test(name);

export function variableFlops(net: Pick<Network, 'variables' | 'positions'>): VariableFlops[] {
  return net.variables.map((v, k) => {
    const uses = v.shape.reduce((a, b) => a * b, 1) * net.positions[k]; // multiply-adds or adds per example
    return multiplies(v.name, v.shape)
      ? { forward: 2 * uses, parameterGradient: 2 * uses, inputGradient: 2 * uses }
      : { forward: uses, parameterGradient: uses, inputGradient: 0 };
  });
}

/** Forward + backward FLOPs of one training example through the whole network. */
export const stepFlops = (flops: readonly VariableFlops[]): number =>
  flops.reduce((a, f) => a + f.forward + f.parameterGradient + f.inputGradient, 0);
