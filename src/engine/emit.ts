// What the layer tables need to write their forward pass as ONNX: a value that remembers its layout,
// so that NHWC images become NCHW once before the first conv and return to NHWC only where TF's
// C-order flatten needs it, and the few ops whose ONNX form differs from the TF.js one.
import { attr, type GraphBuilder } from './onnx/builder.js';

/** An activation in the graph: 'nhwc' and 'nchw' are 4-D images, 'flat' is [N, features]. */
export interface OnnxValue {
  name: string;
  layout: 'nhwc' | 'nchw' | 'flat';
}

export function asNchw(g: GraphBuilder, x: OnnxValue): OnnxValue {
  if (x.layout === 'nchw') return x;
  if (x.layout !== 'nhwc') throw new Error(`expected an image, got a ${x.layout} value`);
  return { name: g.transpose(x.name, [0, 3, 1, 2]), layout: 'nchw' };
}

export function asNhwc(g: GraphBuilder, x: OnnxValue): OnnxValue {
  if (x.layout === 'nhwc') return x;
  if (x.layout !== 'nchw') throw new Error(`expected an image, got a ${x.layout} value`);
  return { name: g.transpose(x.name, [0, 2, 3, 1]), layout: 'nhwc' };
}

export const withActivation = (g: GraphBuilder, x: OnnxValue, activation: 'relu' | 'linear'): OnnxValue =>
  activation === 'relu' ? { name: g.op('Relu', [x.name]), layout: x.layout } : x;

/** Dense: Gemm with the kernel as stored, [in, out]. */
export const emitDense = (g: GraphBuilder, [kernel, bias]: readonly string[], x: OnnxValue): OnnxValue => {
  if (x.layout !== 'flat') throw new Error('dense needs a flat input');
  return { name: g.op('Gemm', [x.name, kernel, bias]), layout: 'flat' };
};

/**
 * Conv2D with TF 'same' padding: ONNX's SAME_UPPER puts the odd pixel at the bottom/right, as TF does.
 * The HWIO kernel becomes OIHW inside the graph (a transpose of the weights, not of the activations).
 */
export function emitConv(g: GraphBuilder, [kernel, bias]: readonly string[], x: OnnxValue, size: number, stride: number): OnnxValue {
  const input = asNchw(g, x);
  const weights = g.transpose(kernel, [3, 2, 0, 1]);
  const attributes = { auto_pad: attr.string('SAME_UPPER'), kernel_shape: attr.ints([size, size]), strides: attr.ints([stride, stride]) };
  return { name: g.op('Conv', [input.name, weights, bias], attributes), layout: 'nchw' };
}

/**
 * Batch norm in training mode as ONNX writes it (training_mode = 1: the batch's mean and biased
 * variance; the running statistics, required inputs, are never read for Y).
 */
export function emitBatchNorm(g: GraphBuilder, [gamma, beta]: readonly string[], x: OnnxValue, channels: number, epsilon: number): OnnxValue {
  const input = asNchw(g, x);
  const running = [g.floats(new Array<number>(channels).fill(0)), g.floats(new Array<number>(channels).fill(1))];
  const attributes = { epsilon: attr.float(epsilon), momentum: attr.float(0), training_mode: attr.int(1) };
  // ONNX requires the running-statistics outputs in training mode; nothing reads them.
  return { name: g.add('BatchNormalization', [input.name, gamma, beta, ...running], attributes, 3)[0], layout: 'nchw' };
}

export const emitMaxPool2 = (g: GraphBuilder, x: OnnxValue): OnnxValue => ({
  name: g.op('MaxPool', [asNchw(g, x).name], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }),
  layout: 'nchw',
});

/** TF's Flatten reads NHWC in C order. */
export const emitFlatten = (g: GraphBuilder, x: OnnxValue): OnnxValue =>
  x.layout === 'flat' ? x : { name: g.op('Flatten', [asNhwc(g, x).name], { axis: attr.int(1) }), layout: 'flat' };

export const emitGlobalAveragePool = (g: GraphBuilder, x: OnnxValue): OnnxValue => ({
  name: g.op('Flatten', [g.op('GlobalAveragePool', [asNchw(g, x).name])], { axis: attr.int(1) }),
  layout: 'flat',
});

/** ResNet's join, ReLU(main + shortcut), with the shortcut brought to the main path's layout. */
export function emitResidualJoin(g: GraphBuilder, main: OnnxValue, skip: OnnxValue): OnnxValue {
  const aligned = main.layout === 'nchw' ? asNchw(g, skip) : main.layout === 'nhwc' ? asNhwc(g, skip) : skip;
  return { name: g.op('Relu', [g.op('Add', [main.name, aligned.name])]), layout: main.layout };
}
