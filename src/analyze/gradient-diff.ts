// How far one gradient is from another (an engine's from a reference): per variable ‖g − g_ref‖∞ / ‖g_ref‖∞,
// the norm the engine tests and docs/engine.md quote, and the relative Frobenius difference over all of θ.
// A bias right before a batch norm has an exact gradient of 0 (the mean subtraction cancels it), so any
// engine gives round-off there; it is judged against the network's largest gradient element instead.
import type { VariableSlot } from '../models/network.js';

type Slot = Pick<VariableSlot, 'name' | 'offset' | 'size'>;

export interface GradientDiff {
  /** Per variable, in θ's order. */
  variables: { name: string; error: number }[];
  worst: { name: string; error: number };
  relative_frobenius: number;
}

/** Names of the biases whose exact gradient is 0: each one directly followed by a batch norm's γ. */
export const cancelledBiases = (variables: readonly { name: string }[]): Set<string> =>
  new Set(variables.filter((v, i) => v.name.endsWith('/bias') && variables[i + 1]?.name.endsWith('/gamma')).map((v) => v.name));

export function gradientDiff(actual: ArrayLike<number>, reference: ArrayLike<number>, slots: readonly Slot[], cancelled: ReadonlySet<string>): GradientDiff {
  let largest = 0;
  let squares = 0;
  let differenceSquares = 0;
  for (let i = 0; i < reference.length; i++) {
    largest = Math.max(largest, Math.abs(reference[i]));
    squares += reference[i] ** 2;
    differenceSquares += (actual[i] - reference[i]) ** 2;
  }
  const variables = slots.map((slot) => {
    let difference = 0;
    let size = 0;
    for (let i = slot.offset; i < slot.offset + slot.size; i++) {
      difference = Math.max(difference, Math.abs(actual[i] - reference[i]));
      size = Math.max(size, Math.abs(reference[i]));
    }
    return { name: slot.name, error: difference / (cancelled.has(slot.name) ? largest : size) };
  });
  const worst = variables.reduce((w, v) => (v.error <= w.error ? w : v), { name: '', error: 0 }); // NaN is the worst
  return { variables, worst, relative_frobenius: Math.sqrt(differenceSquares / squares) };
}
