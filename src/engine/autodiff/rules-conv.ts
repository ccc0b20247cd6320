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

/**
 * A stride-1 window's transpose as a plain Conv of dY by the kernel flipped in space, its in and out
 * channels swapped, and the complementary pads. ORT runs ConvTranspose on one thread whatever its
 * intra-op count (ResNet-20 at batch 500: 0.84 s of a 3.9 s gradient on 2 threads), Conv on all of them.
 * Undefined past 3×3, where the Conv's im2col copies dY once per kernel offset and ConvTranspose wins
 * (LeNet's 5×5 at batch 2,000: 0.80 s against 0.25 s), and where a pad reaches past the kernel's extent.
 */
function flippedConvolution(g: GraphBuilder, dy: string, kernel: string, w: Window): string | undefined {
  const k = w.kernel.length;
  const extents = w.kernel.map((size, i) => (size - 1) * w.dilations[i]);
  const pads = [...extents.map((e, i) => e - w.pads[i]), ...extents.map((e, i) => e - w.pads[i + k])];
  if (w.strides.some((s) => s !== 1) || w.kernel.reduce((a, b) => a * b, 1) > 9 || pads.some((p) => p < 0)) return undefined;
  const spatial = w.kernel.map((_, i) => i + 2);
  const swapped = g.transpose(kernel, [1, 0, ...spatial]);
  const flipped = g.op('Slice', [swapped, g.int64s(spatial.map(() => -1)), g.int64s(w.kernel.map((size) => -size - 1)), g.int64s(spatial), g.int64s(spatial.map(() => -1))]);
  return g.op('Conv', [dy, flipped], { dilations: attr.ints(w.dilations), pads: attr.ints(pads), kernel_shape: attr.ints(w.kernel) });
}

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

/** The pads of a Pad that shifts along `axis` so that out[h] = in[h + by] for h < length, zero outside; none where that is the identity. */
function shiftPads(g: GraphBuilder, axis: number, by: number, size: number, length: number): string | undefined {
  if (by === 0 && length === size) return undefined;
  const pads = new Array<number>(8).fill(0);
  [pads[axis], pads[axis + 4]] = [-by, length - size + by]; // ORT reads negative pads as crops
  return g.int64s(pads);
}

/**
 * Parts of the batch the shifted filter gradient runs over one after another, so that its copies are that
 * much smaller. With 4, ResNet-20's peak is elsewhere (a stage-3 batch norm's backward); more parts only
 * slow ORT's set-up of the session, which grows faster than the node count (ResNet-20: 1.0–1.5 s with 4
 * parts, 0.35–0.5 s whole; before the blocked convs 2.3 s with 8).
 */
const BATCH_PARTS = 4;

/**
 * [⌊k·N/parts⌋ for k = 0…parts] as int64 [1] tensors, N read at run time (the batch is symbolic) from dY:
 * a read of the forward's X, even of its shape, would keep X alive until the backward pass.
 */
function batchBounds(g: GraphBuilder, dy: string, parts: number): string[] {
  const n = g.op('Gather', [g.op('Shape', [dy]), g.int64s([0])]);
  return Array.from({ length: parts + 1 }, (_, k) =>
    k === 0 ? g.int64s([0]) : k === parts ? n : g.op('Div', [g.op('Mul', [n, g.int64s([k])]), g.int64s([parts])]));
}

/**
 * A 2-D, stride-1 filter gradient as products MLAS runs fast. ∂W[m, c, i, j] = Σ dY[n, m, h, w] ·
 * X[n, c, h + s_i, w + t_j] (s_i = i·dilation − begin pad, t_j likewise): with X shifted by s_i along
 * the rows (one copy per row offset) and dY shifted by −t_j along the columns (one per column offset,
 * stacked), each row offset is one Gemm (kw·M × n·H'·W) by (C × n·H'·W)ᵀ over channel-major copies.
 * Against a Conv of Xᵀ by dYᵀ as the filter (a product |kernel| wide) it takes ResNet-20's 3×3 filters
 * in about half the CPU time and LeNet's 5×5 in 0.8×. n·H'·W is the products' inner dimension, so the
 * batch's parts add up: run over BATCH_PARTS parts in turn, the copies are a part's size, at no CPU cost
 * (ResNet-20's gradient: 1.34 → 1.20 MB per image in use at the peak; at batch 2,500, three gradients
 * peaked at 3,143 MB RSS instead of 4,028, the CPU arena needing one 1 GiB region fewer).
 */
function shiftedFilterGradient(g: GraphBuilder, x: string, dy: string, w: Window, [height, width]: number[], [filters, channels, kh, kw]: number[]): string {
  const swap = [1, 0, 2, 3];
  const [rows, columns] = w.out;
  const rowPads = Array.from({ length: kh }, (_, i) => shiftPads(g, 2, i * w.dilations[0] - w.pads[0], height, rows));
  const columnPads = Array.from({ length: kw }, (_, j) => shiftPads(g, 3, w.pads[1] - j * w.dilations[1], columns, width));
  const shift = (t: string, pads: string | undefined) => (pads ? g.op('Pad', [t, pads]) : t);
  const bounds = batchBounds(g, dy, BATCH_PARTS);
  const batchAxis = g.int64s([0]);
  const part = (t: string, k: number) => g.op('Slice', [t, bounds[k], bounds[k + 1], batchAxis]);
  // One part's [kh·kw·M, C]. Flatten, not a Reshape to [C, -1]: a part is empty where the batch is smaller than BATCH_PARTS.
  const products = (k: number): string => {
    const xt = g.transpose(part(x, k), swap);
    const rowShifts = rowPads.map((pads) => g.op('Flatten', [shift(xt, pads)]));
    // dY's side is written after X's so that ORT, which runs a node's last-written input first, builds the
    // stacked dY (and frees its column-shifted pieces) before it copies X: a peak of 6 part-sized copies, not 8.
    const dyt = g.transpose(part(dy, k), swap);
    const columnShifts = columnPads.map((pads) => shift(dyt, pads));
    const stacked = g.op('Flatten', [kw === 1 ? columnShifts[0] : g.op('Concat', columnShifts, { axis: attr.int(0) })]);
    const gemms = rowShifts.map((rowShift) => g.op('Gemm', [stacked, rowShift], { transB: attr.int(1) }));
    return kh === 1 ? gemms[0] : g.op('Concat', gemms, { axis: attr.int(0) });
  };
  // A chain of Adds, not one Sum: ORT runs the parts one after another either way, and a Sum would keep
  // every part's products until the last.
  const all = Array.from({ length: BATCH_PARTS }, (_, k) => products(k)).reduce((sum, p) => g.op('Add', [sum, p]));
  return g.transpose(g.reshape(all, [kh, kw, filters, channels]), [2, 3, 0, 1]);
}

/**
 * A 2-D strided filter gradient as one Gemm per kernel offset: ∂W[m, c, i, j] = Σ dY[n, m, h, w] ·
 * X[n, c, s·h + i·d − pad, s·w + j·d − pad], so each offset reads X at stride s from its own start, a
 * Slice with steps of the zero-padded channel-major X (1/s² of it per offset). The Conv of Xᵀ by dYᵀ it
 * replaces has a kernel the size of dY, which ORT runs as an im2col product only kh·kw wide: ResNet-20's
 * downsampling 3×3 and 1×1 filters (16 and 32 channels) took 0.26 s of a 2.5 s gradient at batch 500
 * that way. From 64 channels that product is wide enough and the strided copies cost more than they
 * save (AllCNN's 96 and 192: 0.3 s a gradient slower, also with X split into phases instead).
 */
function stridedFilterGradient(g: GraphBuilder, x: string, dy: string, w: Window, [height, width]: number[], [filters, channels, kh, kw]: number[]): string {
  const swap = [1, 0, 2, 3];
  const [rows, columns] = w.out;
  const reach = (size: number, axis: number, kernel: number) => (w.out[axis] - 1) * w.strides[axis] + (kernel - 1) * w.dilations[axis] + 1 - w.pads[axis] - size;
  const [below, right] = [Math.max(reach(height, 0, kh), 0), Math.max(reach(width, 1, kw), 0)];
  const xt = g.transpose(x, swap);
  const padded = w.pads[0] + w.pads[1] + below + right > 0 ? g.op('Pad', [xt, g.int64s([0, 0, w.pads[0], w.pads[1], 0, 0, below, right])]) : xt;
  const dyt = g.reshape(g.transpose(dy, swap), [filters, -1]);
  const products: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const [top, left] = [i * w.dilations[0], j * w.dilations[1]];
      const taps = g.op('Slice', [padded, g.int64s([top, left]), g.int64s([top + (rows - 1) * w.strides[0] + 1, left + (columns - 1) * w.strides[1] + 1]), g.int64s([2, 3]), g.int64s(w.strides)]);
      products.push(g.unsqueeze(g.op('Gemm', [dyt, g.reshape(taps, [channels, -1])], { transB: attr.int(1) }), [0]));
    }
  }
  const all = products.length === 1 ? products[0] : g.op('Concat', products, { axis: attr.int(0) });
  return g.transpose(g.reshape(all, [kh, kw, filters, channels]), [2, 3, 0, 1]);
}

/**
 * ∂W in the formulation that pays for this window: products over shifted copies at stride 1 and over
 * strided copies below 64 channels, for 2-D windows from 8 input channels (fewer make each product too
 * narrow: LeNet's first conv 5× slower); the Conv of Xᵀ by dYᵀ otherwise.
 */
function filterGradient(g: GraphBuilder, x: string, dy: string, w: Window, size: number[], wShape: number[]): string {
  const channels = wShape[1];
  if (w.kernel.length === 2 && channels >= 8) {
    if (w.strides.every((s) => s === 1)) return shiftedFilterGradient(g, x, dy, w, size, wShape);
    if (channels < 64) return stridedFilterGradient(g, x, dy, w, size, wShape);
  }
  return correlatedFilterGradient(g, x, dy, w, size);
}

/** Y = X ⋆ W + b. ∂X is the transposed convolution of dY (a flipped Conv at stride 1), ∂W as filterGradient chooses, ∂b dY summed. */
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
    const dx = ctx.needs(0) ? flippedConvolution(g, dy, weights, w) ?? transposedWindow(g, dy, weights, w, size, 1) : undefined;
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
