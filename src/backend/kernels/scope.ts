// Calls other registered kernels from inside a kernelFunc and frees every intermediate it made.
//
// Replacements work at the backend-kernel level (TensorInfo in, TensorInfo out) rather than with
// tf ops: ops inside a kernelFunc would be recorded on the gradient tape and tracked by tidy,
// while kernel calls stay invisible to the engine, so each intermediate must be freed by hand.

import * as tf from '@tensorflow/tfjs';

import { LcaError } from '../../errors.js';

export class KernelScope {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(
    readonly backend: tf.KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs the kernel registered now under `kernelName` for this backend; the result is freed by `finish`. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const config = tf.getKernel(kernelName, this.backendName);
    if (config == null) {
      throw new LcaError(`kernel ${kernelName} is not registered for the ${this.backendName} backend`);
    }
    return this.track(config.kernelFunc({ inputs, backend: this.backend, attrs }));
  }

  /** Takes ownership of a TensorInfo returned by a kernelFunc called directly (e.g. a saved original). */
  track(out: tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
    // The kernels called here (Transpose, Reshape, Slice, Conv2D, PadV2, Reverse, BatchMatMul) have one output.
    const info = Array.isArray(out) ? out[0] : out;
    if (info == null) throw new LcaError('a kernel returned no output');
    this.temps.push(info);
    return info;
  }

  /**
   * Frees every intermediate except `result` and returns it. A Reshape result shares its input's
   * dataId with the refCount raised by one, so freeing both infos once each is exactly right.
   */
  finish(result: tf.TensorInfo): tf.TensorInfo {
    this.dispose(result);
    return result;
  }

  /** Frees every intermediate (except `keep`); also the path taken when a kernel call throws. */
  dispose(keep?: tf.TensorInfo): void {
    for (const info of this.temps.splice(0)) {
      if (info !== keep) this.backend.disposeData(info.dataId);
    }
  }
}

/** Wraps a kernel body so that its intermediates are freed on success and on error. */
export function scoped(
  backendName: string,
  body: (scope: KernelScope, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => tf.TensorInfo,
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const scope = new KernelScope(backend as tf.KernelBackend, backendName);
    try {
      return scope.finish(body(scope, inputs, attrs ?? {}));
    } catch (err) {
      scope.dispose();
      throw err;
    }
  };
}

/** The input `name`, which the engine always passes for these kernels. */
export function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const info = inputs[name];
  if (info == null) throw new LcaError(`kernel input ${name} is missing`);
  return info;
}
