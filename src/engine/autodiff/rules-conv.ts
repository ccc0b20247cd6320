// Backward rules of the windowed ops on N, C, spatial… tensors: Conv, MaxPool, AveragePool and
// GlobalAveragePool. Pads are made explicit first (auto_pad SAME_UPPER is TF's 'same').
import { attr, type GraphBuilder } from '../onnx/builder.js';
import { DataType } from '../onnx/model.js';
import { intAttr, intsAttr, windowOf, type Window } from '../shapes.js';
import type { OpRule, RuleContext } from './rule.js';
import { runtimeShape, unsupported } from './rule.js';

const spatialOf = (ctx: RuleContext, name: string): number[] => ctx.shape(name).slice(2) as number[];

/**
 * The transpose of a strided window onto the input's exact spatial size: an unpadded ConvTranspose
 * (ORT mishandles asymmetric pads there: TF 'same' with stride 2 gave gradients 1e-2 off), then the
 * begin pads cut off and the end trimmed, or zero-filled where the forward's windows never reached.
 */
function transposedWindow(g: GraphBuilder, dy: string, kernel: string, w: Window, inputSize: number[], group: number): string {
  const k = inputSize.length;
  const full = w.out.map((o, i) => (o - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1);
  const spread = g.op('ConvTranspose', [dy, kernel], {
    strides: attr.ints(w.strides), dilations: attr.ints(w.dilations), group: attr.int(group), kernel_shape: attr.ints(w.kernel),
  });
  const shortfall = inputSize.map((size, i) => Math.max(w.pads[i] + size - full[i], 0));
  const filled = shortfall.some((s) => s > 0)
    ? g.op('Pad', [spread, g.int64s([0, 0, ...inputSize.map(() => 0), 0, 0, ...shortfall])])
    : spread;
  const trimmed = inputSize.some((size, i) => w.pads[i] > 0 || full[i] + shortfall[i] - w.pads[i] !== size);
  if (!trimmed) return filled;
  const axes = inputSize.map((_, i) => i + 2);
  return g.op('Slice', [filled, g.int64s(w.pads.slice(0, k)), g.int64s(inputSize.map((size, i) => w.pads[i] + size)), g.int64s(axes)]);
}

/** Every kernel offset, row-major (the order of W's spatial axes). */
const offsetsOf = (kernel: number[]): number[][] =>
  kernel.reduce<number[][]>((acc, k) => acc.flatMap((o) => Array.from({ length: k }, (_, i) => [...o, i])), [[]]);

/**
 * ∂W as a Conv of Xᵀ (C, N, …) by dYᵀ (M, N, …) as the filter, strides and dilations swapped, then sliced
 * to the kernel's size (a remainder the forward stride skipped makes the result larger) and transposed back.
 */
function correlatedFilterGradient(g: GraphBuilder, x: string, dy: string, w: Window, inputSize: number[]): string {
  const k = inputSize.length;
  const swap = [1, 0, ...inputSize.map((_, i) => i + 2)];
  const correlation = g.op('Conv', [g.transpose(x, swap), g.transpose(dy, swap)], {
    strides: attr.ints(w.dilations), dilations: attr.ints(w.strides), pads: attr.ints(w.pads),
  });
  const reach = inputSize.map((s, i) => Math.floor((s + w.pads[i] + w.pads[i + k] - ((w.out[i] - 1) * w.strides[i] + 1)) / w.dilations[i]) + 1);
  const fitted = reach.every((r, i) => r === w.kernel[i])
    ? correlation
    : g.op('Slice', [correlation, g.int64s(w.kernel.map(() => 0)), g.int64s(w.kernel), g.int64s(w.kernel.map((_, i) => i + 2))]);
  return g.transpose(fitted, swap);
}

/**
 * Where a Gemm per kernel offset pays: with under 8 input channels each is too narrow for MLAS (LeNet's
 * first conv: 4× slower), and past 9 offsets the copies of X cost more than they save (LeNet's 5×5 second
 * conv: no faster than the Conv).
 */
const perOffsetPays = (channels: number, kernel: number[]): boolean => channels >= 8 && kernel.reduce((a, b) => a * b, 1) <= 9;

/**
 * ∂W[m, c, o] = Σ over the batch and the output positions p of dY[n, m, p] · X[n, c, p·stride + o·dilation]
 * (X padded): per kernel offset o, one Gemm of dY (M × N·P, channel-major) by the slice of the padded,
 * channel-major X that offset reads (C × N·P). A Conv of Xᵀ by dYᵀ as the filter computes the same sums
 * but as a product only |kernel| wide, at half the speed on ResNet-20's 3×3 filters; it stays where
 * perOffsetPays says no.
 */
function filterGradient(g: GraphBuilder, x: string, dy: string, w: Window, inputSize: number[], [filters, channels]: number[]): string {
  if (!perOffsetPays(channels, w.kernel)) return correlatedFilterGradient(g, x, dy, w, inputSize);
  const k = inputSize.length;
  const swap = [1, 0, ...inputSize.map((_, i) => i + 2)];
  const begin = w.pads.slice(0, k);
  const reach = w.out.map((o, i) => (o - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1);
  const end = inputSize.map((size, i) => Math.max(reach[i] - size - begin[i], 0));
  const padded = inputSize.map((size, i) => size + begin[i] + end[i]);
  const channelMajor = g.transpose(x, swap);
  const source = [...begin, ...end].some((p) => p > 0) ? g.op('Pad', [channelMajor, g.int64s([0, 0, ...begin, 0, 0, ...end])]) : channelMajor;
  const dyRows = g.reshape(g.transpose(dy, swap), [filters, -1]);
  const axes = g.int64s(inputSize.map((_, i) => i + 2));
  const steps = g.int64s(w.strides);
  const products = offsetsOf(w.kernel).map((offset) => {
    const starts = offset.map((o, i) => o * w.dilations[i]);
    const ends = starts.map((s, i) => s + (w.out[i] - 1) * w.strides[i] + 1);
    const whole = starts.every((s, i) => s === 0 && ends[i] === padded[i] && w.strides[i] === 1);
    const read = whole ? source : g.op('Slice', [source, g.int64s(starts), g.int64s(ends), axes, steps]);
    return g.op('Gemm', [dyRows, g.reshape(read, [channels, -1])], { transB: attr.int(1) });
  });
  const stacked = products.length === 1 ? products[0] : g.op('Concat', products.map((p) => g.unsqueeze(p, [2])), { axis: attr.int(2) });
  return g.reshape(stacked, [filters, channels, ...w.kernel]);
}

/** Y = X ⋆ W + b. ∂X is the transposed convolution of dY, ∂W the products of filterGradient, ∂b dY summed. */
const conv: OpRule = {
  backward: (ctx, [dy]) => {
    if (!dy) return [];
    const { g, node } = ctx;
    const [x, weights, bias] = node.inputs;
    if (intAttr(node, 'group', 1) !== 1) throw unsupported(ctx, 'a grouped Conv');
    const wShape = ctx.shape(weights);
    if (!wShape.every((d): d is number => typeof d === 'number')) throw unsupported(ctx, 'a kernel whose shape is not static');
    const kernel = wShape.slice(2);
    const w = windowOf(node, ctx.shape(x), kernel);
    const size = spatialOf(ctx, x);
    const dx = ctx.needs(0) ? transposedWindow(g, dy, weights, w, size, 1) : undefined;
    const dw = ctx.needs(1) ? filterGradient(g, x, dy, w, size, wShape) : undefined;
    const db = bias && ctx.needs(2) ? g.reduce('ReduceSum', dy, [0, ...kernel.map((_, i) => i + 2)], false) : undefined;
    return [dx, dw, db];
  },
};

/**
 * MaxPool: the forward also returns the argmax indices (flat, over the whole input). Where windows do
 * not overlap (kernel ≤ stride), each input feeds one output and MaxUnpool puts dY back in one pass;
 * otherwise dY is scatter-added, so an input that is the max of two windows gets both gradients.
 */
const maxPool: OpRule = {
  forward: (ctx) => {
    if (intAttr(ctx.node, 'storage_order', 0) !== 0) throw unsupported(ctx, 'MaxPool with storage_order 1');
    const indices = ctx.node.outputs[1] || ctx.g.fresh('argmax');
    ctx.g.add('MaxPool', ctx.node.inputs, ctx.node.attributes, [ctx.node.outputs[0], indices]);
    return { indices };
  },
  backward: (ctx, [dy]) => {
    if (!dy) return [];
    const { g, node } = ctx;
    const x = node.inputs[0];
    const w = windowOf(node, ctx.shape(x), intsAttr(node, 'kernel_shape') ?? []);
    const overlapping = w.kernel.some((k, i) => (k - 1) * w.dilations[i] + 1 > w.strides[i]);
    if (!overlapping) return [g.op('MaxUnpool', [dy, ctx.saved.indices, runtimeShape(g, x)], { kernel_shape: attr.ints(w.kernel), strides: attr.ints(w.strides) })];
    const flat = g.int64s([-1]);
    const zeros = g.op('ConstantOfShape', [g.reshape(g.op('Size', [x]), [1])], { value: { kind: 'tensor', value: { name: '', dataType: DataType.FLOAT, dims: [1], data: new Float32Array(1) } } });
    const scattered = g.op('ScatterElements', [zeros, g.reshape(ctx.saved.indices, flat), g.reshape(dy, flat)], { axis: attr.int(0), reduction: attr.string('add') });
    return [g.reshape(scattered, runtimeShape(g, x))];
  },
};

/**
 * AveragePool: each output spreads dY/count over its window, a depthwise ConvTranspose with a kernel
 * of 1/(kernel size). Where padding is excluded from the count, dY is first divided by the share of
 * each window that is inside the input.
 */
const averagePool: OpRule = {
  backward: (ctx, [dy]) => {
    if (!dy) return [];
    const { g, node } = ctx;
    const x = node.inputs[0];
    if (intAttr(node, 'ceil_mode', 0) === 1) throw unsupported(ctx, 'AveragePool with ceil_mode 1');
    const kernel = intsAttr(node, 'kernel_shape') ?? [];
    const w = windowOf(node, ctx.shape(x), kernel);
    const channels = ctx.shape(x)[1];
    if (typeof channels !== 'number') throw unsupported(ctx, 'a channel count that is not static');
    const area = kernel.reduce((a, b) => a * b, 1);
    let scaled = dy;
    if (intAttr(node, 'count_include_pad', 0) === 0 && w.pads.some((p) => p > 0)) {
      const ones = g.op('ConstantOfShape', [runtimeShape(g, x)], { value: { kind: 'tensor', value: { name: '', dataType: DataType.FLOAT, dims: [1], data: Float32Array.of(1) } } });
      const inside = g.op('AveragePool', [ones], { ...node.attributes, count_include_pad: attr.int(1) });
      scaled = g.op('Div', [dy, inside]);
    }
    const spread = g.floats(new Array<number>(channels * area).fill(1 / area), [channels, 1, ...kernel]);
    return [transposedWindow(g, scaled, spread, w, spatialOf(ctx, x), channels)];
  },
};

/** GlobalAveragePool: ∂X = dY broadcast over the spatial axes, divided by their size. */
const globalAveragePool: OpRule = {
  backward: (ctx, [dy]) => {
    if (!dy) return [];
    const x = ctx.node.inputs[0];
    const area = spatialOf(ctx, x).reduce((a, b) => a * b, 1);
    if (!Number.isFinite(area)) throw unsupported(ctx, 'a spatial size that is not static');
    return [ctx.g.op('Mul', [ctx.g.op('Expand', [dy, runtimeShape(ctx.g, x)]), ctx.g.scalar(1 / area)])];
  },
};

export const convRules: Record<string, OpRule> = { Conv: conv, MaxPool: maxPool, AveragePool: averagePool, GlobalAveragePool: globalAveragePool };
