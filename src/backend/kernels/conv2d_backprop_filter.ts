// Conv2DBackpropFilter as one dilated Conv2D of the transposed input and output gradient (wasm and cpu).
//
// wasm has no such kernel, so no conv net can be differentiated there; the cpu one runs at
// 0.006–0.02 GFLOP/s (tfjs-probe.md §3). Both have a fast forward Conv2D, and
//   dW[i, j, c, o] = Σ_{b, p, q} x[b, p·sh + i − top, q·sw + j − left, c] · dy[b, p, q, o]
// is a stride-1 conv of xᵀ [C, H, W, B] (batch = c, channels = b) with the filter
// dyᵀ [OH, OW, B, O] dilated by the forward strides, giving [C, KH, KW, O].

import * as tf from '@tensorflow/tfjs';

import { LcaError } from '../../errors.js';
import { conv2dExplicit, forwardConvInfo, isChannelsLast } from './conv_util.js';
import type { KernelReplacement } from './replacement.js';
import { input, scoped } from './scope.js';

function conv2dBackpropFilter(backendName: string, original: tf.KernelConfig | undefined): tf.KernelFunc {
  const viaConv = scoped(backendName, (scope, inputs, attrs) => {
    const x = input(inputs, 'x'); // [B, H, W, C]
    const dy = input(inputs, 'dy'); // [B, OH, OW, O]
    const filterShape = attrs['filterShape'] as number[]; // [KH, KW, C, O]
    const info = forwardConvInfo(x.shape, filterShape, attrs);
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
    const [, h, w, c] = x.shape as [number, number, number, number];
    const [, oh, ow, o] = dy.shape as [number, number, number, number];
    // Bottom/right pads that make the output exactly KH×KW. Where the forward conv never read the
    // last rows (valid padding, stride > 1) this goes negative: pad 0 and trim the output instead.
    const bottom = Math.max(0, kh + (oh - 1) * sh - h - padInfo.top);
    const right = Math.max(0, kw + (ow - 1) * sw - w - padInfo.left);

    const xT = scope.run(tf.Transpose, { x }, { perm: [3, 1, 2, 0] }); // [C, H, W, B]
    const dyT = scope.run(tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, B, O]
    const pads = { top: padInfo.top, bottom, left: padInfo.left, right };
    let dW = conv2dExplicit(scope, xT, dyT, pads, [sh, sw]); // [C, ≥KH, ≥KW, O]
    if (dW.shape[1] !== kh || dW.shape[2] !== kw) {
      dW = scope.run(tf.Slice, { x: dW }, { begin: [0, 0, 0, 0], size: [c, kh, kw, o] });
    }
    return scope.run(tf.Transpose, { x: dW }, { perm: [1, 2, 0, 3] }); // [KH, KW, C, O]
  });

  return (args) => {
    if (isChannelsLast(args.attrs ?? {})) return viaConv(args);
    if (original != null) return original.kernelFunc(args);
    throw new LcaError(`Conv2DBackpropFilter on ${backendName} supports only dataFormat NHWC`);
  };
}

export const conv2dBackpropFilterReplacement: KernelReplacement = {
  kernelName: tf.Conv2DBackpropFilter,
  backends: ['wasm', 'cpu'],
  make: (backendName, original) => ({
    ...original,
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: conv2dBackpropFilter(backendName, original),
  }),
};
