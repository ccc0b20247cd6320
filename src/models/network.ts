// What every network exposes: its variables (names, shapes, initialisers, in the original
// code's creation order) and a pure function from parameters and images to logits.
import type * as tf from '@tensorflow/tfjs';

export type Initializer = 'he_truncated_normal' | 'zeros' | 'ones';

export interface VariableSpec {
  name: string; // TF-style name, e.g. `fc_1/kernel`; the layer is the part before the last '/'
  shape: number[]; // Dense kernels (in, out); conv kernels HWIO, as in the original
  init: Initializer;
}

export interface Network {
  name: string;
  inputShape: [number, number, number]; // [H, W, C]
  numClasses: number;
  variables: readonly VariableSpec[];
  /** Batch norm in training mode makes the loss depend on how examples are batched. */
  usesBatchStatistics: boolean;
  /** logits [N, classes] from params (in `variables` order) and images [N, H, W, C]. */
  logits(params: readonly tf.Tensor[], images: tf.Tensor4D): tf.Tensor2D;
}

export interface VariableSlot extends VariableSpec {
  offset: number; // index of the first element in the flat parameter vector θ
  size: number;
}

/** Where each variable lives in the flat θ vector (C order, variables concatenated). */
export function layoutOf(variables: readonly VariableSpec[]): { slots: VariableSlot[]; total: number } {
  let offset = 0;
  const slots = variables.map((v) => {
    const size = v.shape.reduce((a, b) => a * b, 1);
    const slot = { ...v, offset, size };
    offset += size;
    return slot;
  });
  return { slots, total: offset };
}

/** The layer a variable belongs to: `fc_1/kernel` → `fc_1`. */
export const layerOf = (variableName: string): string =>
  variableName.includes('/') ? variableName.slice(0, variableName.lastIndexOf('/')) : variableName;
