// Static shapes of a graph's values, with symbolic dimensions (the batch) kept as strings: autodiff
// needs them to undo broadcasting and to size the backward convolutions. Unknown stays unknown
// (undefined, or '?' for one dimension) until a rule that truly needs it asks.
import { InputError } from '../errors.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnx/model.js';

export type Dim = number | string;
export type Shape = Dim[];

export const intAttr = (n: OnnxNode, name: string, fallback: number): number => {
  const a = n.attributes[name];
  return a && a.kind === 'int' ? a.value : fallback;
};
export const intsAttr = (n: OnnxNode, name: string): number[] | undefined => {
  const a = n.attributes[name];
  return a && a.kind === 'ints' ? a.value : undefined;
};
export const floatAttr = (n: OnnxNode, name: string, fallback: number): number => {
  const a = n.attributes[name];
  return a && a.kind === 'float' ? a.value : fallback;
};
export const stringAttr = (n: OnnxNode, name: string, fallback: string): string => {
  const a = n.attributes[name];
  return a && a.kind === 'string' ? a.value : fallback;
};

export const describe = (n: OnnxNode): string => `${n.opType} node '${n.name || n.outputs[0]}'`;

/** The product of dims: a number when all are known, the one symbol when the rest are 1, else '?'. */
function product(dims: Dim[]): Dim {
  const symbols = dims.filter((d) => typeof d === 'string');
  const known = dims.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1);
  if (symbols.length === 0) return known;
  return symbols.length === 1 && known === 1 && symbols[0] !== '?' ? symbols[0] : '?';
}

export function broadcast(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[i - rank + a.length] ?? 1;
    const y = b[i - rank + b.length] ?? 1;
    return x === 1 ? y : y === 1 ? x : typeof x === 'number' ? x : y;
  });
}

/** A conv or pool window over the spatial axes of an N, C, spatial… input, with explicit pads. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** ONNX order: all begins, then all ends. */
  pads: number[];
  out: number[];
}

export function windowOf(n: OnnxNode, input: Shape, kernel: number[]): Window {
  const spatial = input.slice(2);
  if (!spatial.every((d): d is number => typeof d === 'number')) throw new InputError(`${describe(n)}: its input's spatial size is not known statically`);
  const k = kernel.length;
  const strides = intsAttr(n, 'strides') ?? new Array<number>(k).fill(1);
  const dilations = intsAttr(n, 'dilations') ?? new Array<number>(k).fill(1);
  const autoPad = stringAttr(n, 'auto_pad', 'NOTSET');
  const ceil = intAttr(n, 'ceil_mode', 0) === 1;
  const pads = autoPad === 'NOTSET' ? intsAttr(n, 'pads') ?? new Array<number>(2 * k).fill(0) : new Array<number>(2 * k).fill(0);
  const out = spatial.map((size, i) => {
    const extent = (kernel[i] - 1) * dilations[i] + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const o = Math.ceil(size / strides[i]);
      const total = Math.max((o - 1) * strides[i] + extent - size, 0);
      const small = Math.floor(total / 2);
      [pads[i], pads[i + k]] = autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
      return o;
    }
    const span = size + pads[i] + pads[i + k] - extent;
    return (ceil ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
  });
  return { kernel, strides, dilations, pads, out };
}

/** Constant int64 values (initializers and Constant nodes), for shape and axes inputs. */
export function constantInts(graph: OnnxGraph): Map<string, number[]> {
  const values = new Map<string, number[]>();
  const add = (t: OnnxTensor, name: string) => {
    if (t.data instanceof BigInt64Array || t.data instanceof Int32Array) values.set(name, Array.from(t.data, Number));
  };
  for (const t of graph.initializers) add(t, t.name);
  for (const n of graph.nodes) {
    const value = n.attributes.value;
    if (n.opType === 'Constant' && value?.kind === 'tensor') add(value.value, n.outputs[0]);
  }
  return values;
}

function reshapeTarget(input: Shape, target: number[], allowZero: boolean): Shape {
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  const free = out.indexOf(-1);
  if (free >= 0) {
    // Cancel the symbols both sides share (the batch), then divide what is known.
    const left = input.slice();
    const right = out.filter((_, i) => i !== free);
    for (const d of right) if (typeof d === 'string' && left.includes(d)) left.splice(left.indexOf(d), 1);
    const rest = right.filter((d) => typeof d === 'number').reduce((a: number, b) => a * (b as number), 1);
    const total = product(left);
    const leftover = right.some((d) => typeof d === 'string' && !input.includes(d));
    out[free] = typeof total === 'number' && !leftover ? total / rest : '?';
  }
  return out;
}

/** The length ONNX's Slice keeps of a dimension (negative indices count from the end; steps may be negative). */
function sliced(dim: Dim, start: number, end: number, step: number): Dim {
  if (typeof dim !== 'number') return step === 1 && start === 0 && end >= 2 ** 31 - 1 ? dim : '?';
  const at = (i: number, low: number, high: number) => Math.min(Math.max(i < 0 ? i + dim : i, low), high);
  return step > 0
    ? Math.max(0, Math.ceil((at(end, 0, dim) - at(start, 0, dim)) / step))
    : Math.max(0, Math.ceil((at(start, 0, dim - 1) - at(end, -1, dim - 1)) / -step));
}

function reduced(n: OnnxNode, input: Shape, axesInput: number[] | undefined): Shape {
  const axes = (axesInput ?? intsAttr(n, 'axes') ?? input.map((_, i) => i)).map((a) => (a < 0 ? a + input.length : a));
  const keep = intAttr(n, 'keepdims', 1) === 1;
  return input.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
}

/** Shape of each node's outputs; `inputs` gives the graph inputs' shapes. */
export function inferShapes(graph: OnnxGraph): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  const ints = constantInts(graph);
  for (const v of graph.inputs) shapes.set(v.name, v.shape.slice());
  for (const t of graph.initializers) if (!shapes.has(t.name)) shapes.set(t.name, t.dims.slice());
  for (const n of graph.nodes) {
    const s = (i: number): Shape | undefined => shapes.get(n.inputs[i]);
    const x = s(0);
    const out = ((): Shape | undefined => {
      switch (n.opType) {
        case 'Constant': return n.attributes.value?.kind === 'tensor' ? n.attributes.value.value.dims.slice() : undefined;
        case 'Relu': case 'Sqrt': case 'Identity': case 'Dropout': case 'Neg': case 'Reciprocal': case 'Exp':
        case 'Softmax': case 'LogSoftmax': case 'BatchNormalization': case 'Cast':
          return x;
        case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Greater': case 'Equal': case 'Less':
          return x && s(1) && broadcast(x, s(1)!);
        case 'Where': return s(1) && s(2) && x && broadcast(x, broadcast(s(1)!, s(2)!));
        case 'Gemm': {
          const b = s(1);
          if (!x || !b) return undefined;
          return [intAttr(n, 'transA', 0) ? x[1] : x[0], intAttr(n, 'transB', 0) ? b[0] : b[1]];
        }
        case 'MatMul': {
          const b = s(1);
          if (!x || !b || x.length < 2 || b.length < 2) return undefined;
          return [...broadcast(x.slice(0, -2), b.slice(0, -2)), x[x.length - 2], b[b.length - 1]];
        }
        case 'Conv': {
          const w = s(1);
          if (!x || !w) return undefined;
          const kernel = (intsAttr(n, 'kernel_shape') ?? w.slice(2)) as number[];
          return [x[0], w[0], ...windowOf(n, x, kernel).out];
        }
        case 'MaxPool': case 'AveragePool':
          return x && [x[0], x[1], ...windowOf(n, x, intsAttr(n, 'kernel_shape') ?? []).out];
        case 'GlobalAveragePool': return x && [x[0], x[1], ...x.slice(2).map(() => 1)];
        case 'ReduceMean': case 'ReduceSum': return x && reduced(n, x, n.inputs[1] ? ints.get(n.inputs[1]) : undefined);
        case 'Transpose': {
          const perm = intsAttr(n, 'perm') ?? x?.map((_, i) => x.length - 1 - i);
          return x && perm!.map((p) => x[p]);
        }
        case 'Slice': {
          const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => (n.inputs[i] ? ints.get(n.inputs[i]) : undefined));
          if (!x || !starts || !ends || (n.inputs[3] && !axes) || (n.inputs[4] && !steps)) return undefined;
          const out = x.slice();
          (axes ?? starts.map((_, i) => i)).forEach((a, i) => (out[a < 0 ? a + x.length : a] = sliced(x[a < 0 ? a + x.length : a], starts[i], ends[i], steps?.[i] ?? 1)));
          return out;
        }
        case 'Reshape': {
          const target = ints.get(n.inputs[1]);
          return x && target && reshapeTarget(x, target, intAttr(n, 'allowzero', 0) === 1);
        }
        case 'Flatten': {
          const axis = intAttr(n, 'axis', 1);
          const a = x && (axis < 0 ? axis + x.length : axis);
          return x && [product(x.slice(0, a)), product(x.slice(a))];
        }
        case 'Unsqueeze': {
          const axes = n.inputs[1] ? ints.get(n.inputs[1]) : intsAttr(n, 'axes');
          if (!x || !axes) return undefined;
          const rank = x.length + axes.length;
          const at = axes.map((a) => (a < 0 ? a + rank : a));
          const rest = x.slice();
          return Array.from({ length: rank }, (_, i) => (at.includes(i) ? 1 : rest.shift()!));
        }
        default: return undefined;
      }
    })();
    if (out) shapes.set(n.outputs[0], out);
  }
  return shapes;
}
