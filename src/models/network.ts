// What every network exposes: its variables (names, shapes, initialisers, in the original
// code's creation order) and a pure function from parameters and images to logits.
import type * as tf from '@tensorflow/tfjs';
import type { GraphBuilder } from '../engine/onnx/builder.js';

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
  /** Per variable, at how many output positions it acts per example (Layer.trace; FLOPs in models/flops.ts). */
  positions: readonly number[];
  /** Batch norm in training mode makes the loss depend on how examples are batched. */
  usesBatchStatistics: boolean;
  /** logits [N, classes] from params (in `variables` order) and images [N, H, W, C]. */
  logits(params: readonly tf.Tensor[], images: tf.Tensor4D): tf.Tensor2D;
  /** The same logits as ONNX nodes appended to `g`, from the named parameters and images [N, H, W, C]; returns the logits' name. */
  onnxLogits(g: GraphBuilder, params: readonly string[], images: string): string;
  /** Present where the first layer is dense on the raw input (see FirstLayerSplit). */
  firstLayer?: FirstLayerSplit;
}

/**
 * The network split after its first layer's pre-activations z = x·W + b, for a first layer that is
 * dense on the raw input x. Along a segment θ_t → θ_{t+1}, z is then affine in s (z(s) = (1−s)·z_t +
 * s·z_{t+1}) and ∂L/∂W = xᵀ·∂L/∂z, so a full-dataset objective can skip the first layer's forward GEMM
 * inside a segment (design-pointers.md point 2). `logits(params, images)` must equal
 * `rest(params, input(images)·W + b)` up to float rounding.
 */
export interface FirstLayerSplit {
  kernel: number; // index in `variables` of W, [in, out]
  bias: number; // index of b, [out]
  /** The first layer's input x [N, in] from images [N, H, W, C]. */
  input(images: tf.Tensor4D): tf.Tensor2D;
  /** logits [N, classes] from z [N, out] and params in `variables` order (W and b are not read). */
  rest(params: readonly tf.Tensor[], z: tf.Tensor2D): tf.Tensor2D;
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

/**
 * The layer a variable belongs to: `fc_1/kernel` → `fc_1`; names without a slash split at their last dot
 * as PyTorch's state-dict names do (imported runs: `fc1.weight` → `fc1`).
 */
export function layerOf(variableName: string): string {
  const cut = variableName.includes('/') ? variableName.lastIndexOf('/') : variableName.lastIndexOf('.');
  return cut > 0 ? variableName.slice(0, cut) : variableName;
}
