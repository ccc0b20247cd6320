// wasm BatchMatMul and _FusedMatMul with transposeA/transposeB: an explicit Transpose, then the stock XNNPACK GEMM.
//
// The stock wasm kernels send any transposed operand to a naive C++ loop (1.2–1.6 GFLOP/s against
// 13–20 through XNNPACK, tfjs-probe.md §3), and every Dense backward pass asks for one
// (dW = xᵀ·dy, dx = dy·Wᵀ). Copying the operand once costs far less than the slow loop.
// Untransposed calls go straight to the stock kernel.

import * as tf from '@tensorflow/tfjs';

import { LcaError } from '../../errors.js';
import type { KernelReplacement } from './replacement.js';
import { input, scoped, type KernelScope } from './scope.js';

/** [..., m, n] → [..., n, m] through the backend's Transpose kernel. */
function transposeLastTwo(scope: KernelScope, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1] as number, perm[rank - 2] as number];
  return scope.run(tf.Transpose, { x }, { perm });
}

const batchSize = (x: tf.TensorInfo) => x.shape.slice(0, -2).reduce((n, d) => n * d, 1);

/** The activation kernels _FusedMatMul can fuse, by its `activation` attr. */
const ACTIVATIONS: Readonly<Record<string, string>> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  elu: tf.Elu,
  sigmoid: tf.Sigmoid,
  leakyrelu: tf.LeakyRelu,
  prelu: tf.Prelu,
};

/**
 * Bias and activation as separate kernels. Stock wasm _FusedMatMul adds the bias wrongly to every
 * batch matrix after the first (tfjs 4.22: fused.matMul of zeros [2,3,2]·[2,2,2] + [1,2] gives
 * rows [2,2]), so batched calls with a bias go this way.
 */
function unfusedMatMul(scope: KernelScope, original: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) {
  const { a, b, bias, preluActivationWeights } = inputs;
  const product = original.kernelFunc({ inputs: { a, b }, backend: scope.backend, attrs: { ...attrs, activation: 'linear' } });
  let y = scope.run(tf.Add, { a: scope.track(product), b: bias });
  const activation = String(attrs['activation'] ?? 'linear');
  if (activation === 'linear') return y;
  const kernel = ACTIVATIONS[activation];
  if (kernel == null) throw new LcaError(`_FusedMatMul: unknown activation ${activation}`);
  if (kernel === tf.Prelu) y = scope.run(kernel, { x: y, alpha: preluActivationWeights });
  else y = scope.run(kernel, { x: y }, { alpha: (attrs['leakyreluAlpha'] as number | undefined) ?? 0.2 });
  return y;
}

/** A config for BatchMatMul or _FusedMatMul that keeps `original` for untransposed 2-D calls. */
function withExplicitTranspose(original: tf.KernelConfig): tf.KernelConfig {
  const { kernelName, backendName } = original;
  const replaced = scoped(backendName, (scope, inputs, attrs) => {
    const a = input(inputs, 'a');
    const b = input(inputs, 'b');
    const newInputs = {
      ...inputs,
      a: attrs['transposeA'] === true ? transposeLastTwo(scope, a) : a,
      b: attrs['transposeB'] === true ? transposeLastTwo(scope, b) : b,
    };
    const newAttrs = { ...attrs, transposeA: false, transposeB: false };
    if (needsUnfused(kernelName, inputs)) return unfusedMatMul(scope, original, newInputs, newAttrs);
    return scope.track(original.kernelFunc({ inputs: newInputs, backend: scope.backend, attrs: newAttrs }));
  });
  return {
    ...original,
    kernelFunc: (args) => {
      const attrs = args.attrs ?? {};
      const transposed = attrs['transposeA'] === true || attrs['transposeB'] === true;
      return transposed || needsUnfused(kernelName, args.inputs) ? replaced(args) : original.kernelFunc(args);
    },
  };
}

function needsUnfused(kernelName: string, inputs: tf.NamedTensorInfoMap): boolean {
  if (kernelName !== tf._FusedMatMul || inputs['bias'] == null) return false;
  return Math.max(batchSize(input(inputs, 'a')), batchSize(input(inputs, 'b'))) > 1;
}

function replacementFor(kernelName: string): KernelReplacement {
  return {
    kernelName,
    backends: ['wasm'],
    make(backendName, original) {
      if (original == null) throw new LcaError(`${backendName} has no ${kernelName} kernel to speed up`);
      return withExplicitTranspose(original);
    },
  };
}

export const batchMatMulReplacement = replacementFor(tf.BatchMatMul);
export const fusedMatMulReplacement = replacementFor(tf._FusedMatMul);
