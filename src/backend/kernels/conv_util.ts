// Shared pieces of the conv gradient replacements: reading their attrs and calling Conv2D with explicit pads.

import * as tf from '@tensorflow/tfjs';

import type { KernelScope } from './scope.js';

type Shape4 = [number, number, number, number];

/** The geometry of the forward conv whose gradient is asked for, padding computed exactly as tf does. */
export function forwardConvInfo(
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: tf.NamedAttrMap,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    attrs['strides'] as number | [number, number],
    1,
    attrs['pad'] as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

/** NCHW is the one layout the replacements do not handle (lca's models are all NHWC). */
export function isChannelsLast(attrs: tf.NamedAttrMap): boolean {
  return attrs['dataFormat'] == null || attrs['dataFormat'] === 'NHWC';
}

export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** A stride-1 Conv2D (NHWC) with explicit, non-negative pads and the given dilation. */
export function conv2dExplicit(
  scope: KernelScope,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  pads: Pads,
  dilations: [number, number] = [1, 1],
): tf.TensorInfo {
  const pad = [
    [0, 0],
    [pads.top, pads.bottom],
    [pads.left, pads.right],
    [0, 0],
  ];
  return scope.run(tf.Conv2D, { x, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations });
}
