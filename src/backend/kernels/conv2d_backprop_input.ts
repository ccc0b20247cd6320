// wasm Conv2DBackpropInput as one stride-1 XNNPACK Conv2D over all stride phases, then an interleave.
//
// The stock wasm kernel is a naive loop (1.2–1.5 GFLOP/s, tfjs-probe.md §3). With t = h + top
// = q·s + r (r the phase), the forward conv gives
//   dx[t] = Σ_j dy[q − j] · W[r + j·s],   j = 0 … J−1,  J = ⌈K/s⌉  (W zero past K),
// a stride-1 correlation of dy with the flipped sub-filter of phase r. All s_h·s_w phases are
// stacked along the output channels of one filter [J_h, J_w, O, s_h·s_w·C]; the result
// [B, Q_h, Q_w, s_h, s_w, C] is interleaved into [B, Q_h·s_h, Q_w·s_w, C] and cropped to H×W.
// For stride 1 this is the textbook conv of dy with the flipped, in/out-transposed filter.

import * as tf from '@tensorflow/tfjs';

import { LcaError } from '../../errors.js';
import { conv2dExplicit, forwardConvInfo, isChannelsLast } from './conv_util.js';
import type { KernelReplacement } from './replacement.js';
import { input, scoped, type KernelScope } from './scope.js';

/** W [KH, KW, C, O] → the phase-stacked, flipped filter [JH, JW, O, SH·SW·C]. */
function phaseFilter(scope: KernelScope, filter: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
  const [kh, kw, c, o] = filter.shape as [number, number, number, number];
  const jh = Math.ceil(kh / sh);
  const jw = Math.ceil(kw / sw);
  let f = filter;
  if (jh * sh !== kh || jw * sw !== kw) {
    const paddings = [[0, jh * sh - kh], [0, jw * sw - kw], [0, 0], [0, 0]];
    f = scope.run(tf.PadV2, { x: f }, { paddings, constantValue: 0 }); // [JH·SH, JW·SW, C, O]
  }
  f = scope.run(tf.Reshape, { x: f }, { shape: [jh, sh, jw, sw, c, o] }); // k = j·s + r
  f = scope.run(tf.Reverse, { x: f }, { dims: [0, 2] }); // j → J−1−j
  f = scope.run(tf.Transpose, { x: f }, { perm: [0, 2, 5, 1, 3, 4] }); // [JH, JW, O, SH, SW, C]
  return scope.run(tf.Reshape, { x: f }, { shape: [jh, jw, o, sh * sw * c] });
}

/** Where one spatial axis of the phase conv starts and how far it must reach. */
function axisPlan(size: number, kernel: number, stride: number, padBefore: number, dySize: number) {
  const j = Math.ceil(kernel / stride);
  const q0 = Math.floor(padBefore / stride); // first phase row that lands inside the input
  const rows = Math.ceil((size + padBefore) / stride) - q0; // phase rows needed
  const before = j - 1 - q0;
  // Output rows = dySize + before + after − j + 1; extra rows are cropped with the rest.
  const after = Math.max(0, rows - dySize - before + j - 1);
  return { before, after, offset: padBefore - q0 * stride };
}

function conv2dBackpropInput(backendName: string, original: tf.KernelConfig | undefined): tf.KernelFunc {
  const viaConv = scoped(backendName, (scope, inputs, attrs) => {
    const dy = input(inputs, 'dy'); // [B, OH, OW, O]
    const filter = input(inputs, 'filter'); // [KH, KW, C, O]
    const inShape = attrs['inputShape'] as [number, number, number, number]; // [B, H, W, C]
    const info = forwardConvInfo(inShape, filter.shape, attrs);
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
    const [b, h, w, c] = inShape;
    const rows = axisPlan(h, kh, sh, padInfo.top, dy.shape[1] as number);
    const cols = axisPlan(w, kw, sw, padInfo.left, dy.shape[2] as number);

    const f = phaseFilter(scope, filter, sh, sw);
    const pads = { top: rows.before, bottom: rows.after, left: cols.before, right: cols.after };
    let dx = conv2dExplicit(scope, dy, f, pads); // [B, R, Q, SH·SW·C]
    const [, r, q] = dx.shape as [number, number, number, number];
    if (sh * sw > 1) {
      dx = scope.run(tf.Reshape, { x: dx }, { shape: [b, r, q, sh, sw, c] });
      dx = scope.run(tf.Transpose, { x: dx }, { perm: [0, 1, 3, 2, 4, 5] }); // [B, R, SH, Q, SW, C]
      dx = scope.run(tf.Reshape, { x: dx }, { shape: [b, r * sh, q * sw, c] });
    }
    if (rows.offset !== 0 || cols.offset !== 0 || r * sh !== h || q * sw !== w) {
      dx = scope.run(tf.Slice, { x: dx }, { begin: [0, rows.offset, cols.offset, 0], size: [b, h, w, c] });
    }
    return dx;
  });

  return (args) => {
    const attrs = args.attrs ?? {};
    // Pads beyond the filter size (explicit pads only) would need a negative conv pad.
    if (isChannelsLast(attrs) && !padsExceedFilter(args.inputs, attrs)) return viaConv(args);
    if (original != null) return original.kernelFunc(args);
    throw new LcaError(`Conv2DBackpropInput on ${backendName} supports only NHWC with pads smaller than the filter`);
  };
}

function padsExceedFilter(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): boolean {
  const filter = input(inputs, 'filter');
  const { padInfo, filterHeight, filterWidth } = forwardConvInfo(attrs['inputShape'] as number[], filter.shape, attrs);
  return padInfo.top >= filterHeight || padInfo.left >= filterWidth;
}

export const conv2dBackpropInputReplacement: KernelReplacement = {
  kernelName: tf.Conv2DBackpropInput,
  backends: ['wasm'],
  make: (backendName, original) => ({
    ...original,
    kernelName: tf.Conv2DBackpropInput,
    backendName,
    kernelFunc: conv2dBackpropInput(backendName, original),
  }),
};
