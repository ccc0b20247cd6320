// The shape of one kernel replacement: which kernel, on which backends, and how to build it from the stock one.

import type * as tf from '@tensorflow/tfjs';

export interface KernelReplacement {
  readonly kernelName: string;
  readonly backends: readonly string[];
  /** `original` is the stock config, or undefined where the backend lacks the kernel (wasm Conv2DBackpropFilter). */
  make(backendName: string, original: tf.KernelConfig | undefined): tf.KernelConfig;
}
