// Appending nodes and constants to an ONNX graph under fresh names. Shared by the forward emitters of
// the model tables and by autodiff; it knows the opset so that ops whose form changed (ReduceMean's
// axes became an input in 18) are written the way that opset reads them.
import { DataType, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './model.js';

export const attr = {
  int: (value: number): OnnxAttribute => ({ kind: 'int', value }),
  ints: (value: number[]): OnnxAttribute => ({ kind: 'ints', value }),
  float: (value: number): OnnxAttribute => ({ kind: 'float', value }),
  string: (value: string): OnnxAttribute => ({ kind: 'string', value }),
};

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private counter = 0;

  /** `taken`: names already used in the graph, which fresh names must avoid. */
  constructor(readonly opset: number, private readonly prefix: string, private readonly taken: ReadonlySet<string> = new Set()) {}

  fresh(hint: string): string {
    for (;;) {
      const name = `${this.prefix}${hint}_${this.counter++}`;
      if (!this.taken.has(name)) return name;
    }
  }

  /** Appends a node; returns its outputs (fresh names unless given). */
  add(opType: string, inputs: string[], attributes: Record<string, OnnxAttribute> = {}, outputs: number | string[] = 1): string[] {
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, k) => this.fresh(`${opType}${k > 0 ? k : ''}`)) : outputs;
    this.nodes.push({ opType, name: this.fresh(`n_${opType}`), inputs, outputs: names, attributes });
    return names;
  }

  /** A one-output node. */
  op(opType: string, inputs: string[], attributes: Record<string, OnnxAttribute> = {}): string {
    return this.add(opType, inputs, attributes)[0];
  }

  private tensor(hint: string, dataType: OnnxTensor['dataType'], dims: number[], data: OnnxTensor['data']): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType, dims, data });
    return name;
  }

  floats(values: number[], dims: number[] = [values.length]): string {
    return this.tensor('const', DataType.FLOAT, dims, Float32Array.from(values));
  }

  scalar(value: number): string {
    return this.floats([value], []);
  }

  int64s(values: number[]): string {
    return this.tensor('shape', DataType.INT64, [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  /** ReduceSum / ReduceMean over `axes`, in the form this opset reads (axes an input from 13 / 18). */
  reduce(op: 'ReduceSum' | 'ReduceMean', x: string, axes: number[], keepdims: boolean): string {
    const inputFrom = op === 'ReduceSum' ? 13 : 18;
    const keep = { keepdims: attr.int(keepdims ? 1 : 0) };
    if (this.opset >= inputFrom) return this.op(op, [x, this.int64s(axes)], keep);
    return this.op(op, [x], { ...keep, axes: attr.ints(axes) });
  }

  unsqueeze(x: string, axes: number[]): string {
    return this.opset >= 13 ? this.op('Unsqueeze', [x, this.int64s(axes)]) : this.op('Unsqueeze', [x], { axes: attr.ints(axes) });
  }

  reshape(x: string, shape: number[] | string): string {
    return this.op('Reshape', [x, typeof shape === 'string' ? shape : this.int64s(shape)]);
  }

  transpose(x: string, perm: number[]): string {
    return this.op('Transpose', [x], { perm: attr.ints(perm) });
  }
}
