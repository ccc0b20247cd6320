// Installs (and for tests and benchmarks, removes) lca's kernel replacements on one backend.

import * as tf from '@tensorflow/tfjs';

import { conv2dBackpropFilterReplacement } from './conv2d_backprop_filter.js';
import { conv2dBackpropInputReplacement } from './conv2d_backprop_input.js';
import { batchMatMulReplacement, fusedMatMulReplacement } from './matmul.js';
import type { KernelReplacement } from './replacement.js';

export const KERNEL_REPLACEMENTS: readonly KernelReplacement[] = [
  batchMatMulReplacement,
  fusedMatMulReplacement,
  conv2dBackpropFilterReplacement,
  conv2dBackpropInputReplacement,
];

/** Per backend: kernel name → the stock config it replaced (undefined where there was none). */
const installed = new Map<string, Map<string, tf.KernelConfig | undefined>>();

/**
 * Registers every replacement meant for `backendName`, once per process, and returns the kernel
 * names now replaced. Call it after `tf.setBackend`: the stock setupFunc (e.g. wasm's cwrap of
 * the native BatchMatMul) has then run, and the replacement keeps it for later re-initialisations.
 */
export function replaceKernels(backendName: string): string[] {
  let done = installed.get(backendName);
  if (done == null) {
    done = new Map();
    installed.set(backendName, done);
  }
  for (const replacement of KERNEL_REPLACEMENTS) {
    const { kernelName } = replacement;
    if (!replacement.backends.includes(backendName) || done.has(kernelName)) continue;
    const original = tf.getKernel(kernelName, backendName);
    const config = replacement.make(backendName, original);
    if (original != null) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(config);
    done.set(kernelName, original);
  }
  return [...done.keys()];
}

/** Puts the stock kernels back (so benchmarks and tests can compare both in one process). */
export function restoreKernels(backendName: string): void {
  const done = installed.get(backendName);
  if (done == null) return;
  for (const [kernelName, original] of done) {
    tf.unregisterKernel(kernelName, backendName);
    if (original != null) tf.registerKernel(original);
  }
  installed.delete(backendName);
}

/** The kernel names currently replaced on `backendName`. */
export function replacedKernels(backendName: string): string[] {
  return [...(installed.get(backendName)?.keys() ?? [])];
}
