// Composing layers: a sequence, a residual connection, and a Network from its body.
import * as tf from '@tensorflow/tfjs';
import { emitResidualJoin } from '../engine/emit.js';
import type { Layer, Trace } from './layers.js';
import type { Network } from './network.js';

/** Splits `params` (tensors, or their names in a graph) into consecutive runs, one per layer, by each layer's variable count. */
function splitParams<T>(layers: readonly Layer[], params: readonly T[]): (readonly T[])[] {
  let at = 0;
  return layers.map((layer) => {
    const own = params.slice(at, at + layer.variables.length);
    at += layer.variables.length;
    return own;
  });
}

/** The layers' traces applied in order, each on the output of the one before. */
function traceInOrder(layers: readonly Layer[], input: readonly number[]): Trace {
  const positions: number[] = [];
  let output = [...input];
  for (const layer of layers) {
    const t = layer.trace(output);
    positions.push(...t.positions);
    output = t.output;
  }
  return { output, positions };
}

/** Layers applied in order; variables concatenated in the same order. */
export function sequential(layers: readonly Layer[]): Layer {
  return {
    trace: (input) => traceInOrder(layers, input),
    variables: layers.flatMap((l) => l.variables),
    usesBatchStatistics: layers.some((l) => l.usesBatchStatistics),
    apply: (params, x) => {
      const parts = splitParams(layers, params);
      return layers.reduce((h, layer, i) => layer.apply(parts[i], h), x);
    },
    onnx: (g, params, x) => {
      const parts = splitParams(layers, params);
      return layers.reduce((h, layer, i) => layer.onnx(g, parts[i], h), x);
    },
  };
}

/**
 * ResNet v1's join: ReLU(main(x) + shortcut(x)), the ReLU after the addition (spec §3.4). Variables
 * are main's, then the shortcut's, as in the original's index map; no shortcut means identity.
 */
export function residual(main: Layer, shortcut?: Layer): Layer {
  const parts = shortcut === undefined ? [main] : [main, shortcut];
  return {
    trace: (input) => ({ output: main.trace(input).output, positions: parts.flatMap((l) => l.trace(input).positions) }),
    variables: parts.flatMap((l) => l.variables),
    usesBatchStatistics: parts.some((l) => l.usesBatchStatistics),
    apply: (params, x) => {
      const [mainParams, shortcutParams] = splitParams(parts, params);
      const skip = shortcut === undefined ? x : shortcut.apply(shortcutParams, x);
      return tf.relu(tf.add(main.apply(mainParams, x), skip));
    },
    onnx: (g, params, x) => {
      const [mainParams, shortcutParams] = splitParams(parts, params);
      const skip = shortcut === undefined ? x : shortcut.onnx(g, shortcutParams, x);
      return emitResidualJoin(g, main.onnx(g, mainParams, x), skip);
    },
  };
}

/** A Network whose logits are `body` applied to the images. */
export function networkOf(spec: { name: string; inputShape: [number, number, number]; numClasses: number; body: Layer }): Network {
  const { body } = spec;
  return {
    name: spec.name,
    inputShape: spec.inputShape,
    numClasses: spec.numClasses,
    variables: body.variables,
    positions: body.trace(spec.inputShape).positions,
    usesBatchStatistics: body.usesBatchStatistics,
    logits: (params, images) => body.apply(params, images) as tf.Tensor2D,
    onnxLogits: (g, params, images) => body.onnx(g, params, { name: images, layout: 'nhwc' }).name,
  };
}
