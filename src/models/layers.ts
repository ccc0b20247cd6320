// Layer builders shared by every network: each declares its variables (names, shapes, initialisers)
// and a pure forward function of exactly those parameters (original-conventions.md §3, "Shared conventions").
import * as tf from '@tensorflow/tfjs';
import { emitBatchNorm, emitConv, emitDense, emitFlatten, emitGlobalAveragePool, emitMaxPool2, withActivation, type OnnxValue } from '../engine/emit.js';
import type { GraphBuilder } from '../engine/onnx/builder.js';
import { batchNormTraining } from './batch-norm.js';
import type { VariableSpec } from './network.js';

export interface Layer {
  /** This layer's variables, in the original code's creation order. */
  readonly variables: readonly VariableSpec[];
  /** True where the output depends on the statistics of the whole batch (batch norm in training mode). */
  readonly usesBatchStatistics: boolean;
  /** The forward pass; `params` holds exactly this layer's variables, in `variables` order. */
  apply(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor;
  /** The same forward pass written as ONNX nodes; `params` names this layer's variables, in `variables` order. */
  onnx(g: GraphBuilder, params: readonly string[], x: OnnxValue): OnnxValue;
  /** Shapes without running anything: the output of one example, and per variable where it acts. */
  trace(input: readonly number[]): Trace;
}

/**
 * `output`: one example's output shape ([H, W, C] or [features]). `positions[j]`: at how many output
 * positions variable j is applied per example (H·W for a convolution or batch norm, 1 for dense),
 * which with its shape gives its FLOPs (models/flops.ts).
 */
export interface Trace {
  output: number[];
  positions: number[];
}

/** A leaf layer's trace: each of its variables acts at every position of its output. */
const leaf = (variables: readonly VariableSpec[], output: number[]): Trace =>
  ({ output, positions: variables.map(() => output.slice(0, -1).reduce((a, b) => a * b, 1)) });

export type Activation = 'relu' | 'linear';

/** A layer without variables; `shape` maps one example's input shape to its output shape. */
const stateless = (apply: (x: tf.Tensor) => tf.Tensor, onnx: (g: GraphBuilder, x: OnnxValue) => OnnxValue,
  shape: (input: readonly number[]) => number[] = (input) => [...input]): Layer => ({
  variables: [],
  usesBatchStatistics: false,
  apply: (_params, x) => apply(x),
  onnx: (g, _params, x) => onnx(g, x),
  trace: (input) => ({ output: shape(input), positions: [] }),
});

// tf.layers.Dense / Conv2D with use_bias=True, zero bias and He truncated-normal kernels (spec §3).
const kernelAndBias = (layer: string, kernelShape: number[]): VariableSpec[] => [
  { name: `${layer}/kernel`, shape: kernelShape, init: 'he_truncated_normal' },
  { name: `${layer}/bias`, shape: [kernelShape[kernelShape.length - 1]], init: 'zeros' },
];

/** Dense: [N, in] → [N, out], kernel (in, out). */
export function dense(name: string, spec: { in: number; out: number; activation: Activation }): Layer {
  const variables = kernelAndBias(name, [spec.in, spec.out]);
  return {
    variables,
    trace: () => leaf(variables, [spec.out]),
    usesBatchStatistics: false,
    apply: ([kernel, bias], x) =>
      tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias, activation: spec.activation }),
    onnx: (g, params, x) => withActivation(g, emitDense(g, params, x), spec.activation),
  };
}

/**
 * Conv2D with an HWIO kernel (size, size, in, out), a bias and TF 'same' padding. tfjs computes
 * 'same' exactly as TF does: the total pad max((⌈H/s⌉−1)·s + k − H, 0) is split with the smaller
 * half on top/left, so a 3×3 stride-2 conv on 32×32 pads 0 top/left and 1 bottom/right (spec §3;
 * checked by hand in test/models.test.ts). No explicit tf.pad is needed.
 */
export function conv2d(name: string, spec: { size: number; in: number; out: number; stride?: number; activation: Activation }): Layer {
  const stride = spec.stride ?? 1;
  const variables = kernelAndBias(name, [spec.size, spec.size, spec.in, spec.out]);
  return {
    variables,
    trace: ([h, w]) => leaf(variables, [Math.ceil(h / stride), Math.ceil(w / stride), spec.out]), // 'same' padding
    usesBatchStatistics: false,
    apply: ([kernel, bias], x) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides: stride, pad: 'same', bias, activation: spec.activation,
      }),
    onnx: (g, params, x) => withActivation(g, emitConv(g, params, x, spec.size, stride), spec.activation),
  };
}

// TF's BatchNormalization defaults (spec §3): epsilon 1e-3, center and scale, gamma 1, beta 0.
const BATCH_NORM_EPSILON = 1e-3;

/**
 * Batch norm in TRAINING mode, always: the original feeds batchnorm_learning_phase = 1 in training
 * and in every LCA evaluation (spec §6.4, §11.2). Each channel is normalised with the mean and the
 * biased variance over N, H, W of the current batch, and the gradient flows through both. Variables
 * `gamma` then `beta`; the moving averages are never read, so they do not exist here.
 */
export function batchNorm(name: string, channels: number): Layer {
  const variables: VariableSpec[] = [
    { name: `${name}/gamma`, shape: [channels], init: 'ones' },
    { name: `${name}/beta`, shape: [channels], init: 'zeros' },
  ];
  return {
    variables,
    trace: (input) => leaf(variables, [...input]),
    usesBatchStatistics: true,
    apply: ([gamma, beta], x) => batchNormTraining(x as tf.Tensor4D, gamma as tf.Tensor1D, beta as tf.Tensor1D, BATCH_NORM_EPSILON),
    onnx: (g, params, x) => emitBatchNorm(g, params, x, channels, BATCH_NORM_EPSILON),
  };
}

export const relu = (): Layer => stateless((x) => tf.relu(x), (g, x) => withActivation(g, x, 'relu'));

/** MaxPool 2×2, stride 2, 'valid' padding (spec §3). */
export const maxPool2 = (): Layer => stateless((x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), emitMaxPool2, ([h, w, c]) => [Math.floor(h / 2), Math.floor(w / 2), c]);

/** [N, H, W, C] → [N, H·W·C] in C order, as numpy's reshape and TF's Flatten. */
export const flatten = (): Layer => stateless((x) => tf.reshape(x, [x.shape[0], -1]), emitFlatten, (input) => [input.reduce((a, b) => a * b, 1)]);

/** GlobalAveragePooling2D: the mean over H and W, [N, H, W, C] → [N, C]. */
export const globalAveragePool = (): Layer => stateless((x) => tf.mean(x, [1, 2]), emitGlobalAveragePool, (input) => [input[input.length - 1]]);

/**
 * Dropout is the identity, in training too: the original exports tf.layers.Dropout, whose
 * `training` argument defaults to False, and never passes it, so every Dropout runs in inference
 * mode (spec §3 shared conventions, §11.3). Kept in the architecture tables so they read like the original.
 */
export const dropout = (_rate: number): Layer => stateless((x) => x, (_g, x) => x);
