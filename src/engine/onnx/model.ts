// The in-memory form of an ONNX model (onnx.proto3's ModelProto, only the fields lca reads or
// writes). One shape for both directions: graphs lca builds from its model tables are encoded from
// it, and models users export from PyTorch, JAX or Keras are decoded into it, so one autodiff serves both.

/** TensorProto.DataType values that lca meets (onnx.proto3). */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  BFLOAT16: 16,
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** A constant tensor (an initializer or a Constant node's value), row-major, dims as ONNX gives them. */
export interface OnnxTensor {
  name: string;
  dataType: DataType;
  dims: number[];
  /** FLOAT: Float32Array; DOUBLE: Float64Array; INT64: BigInt64Array; INT32: Int32Array; others: raw little-endian bytes. */
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
}

/** ONNX attributes keep int and float apart, so the kind travels with the value. */
export type OnnxAttribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  name: string;
  /** '' (or absent) is the default ai.onnx domain. */
  domain?: string;
  /** An empty string marks an omitted optional input or output, as in ONNX. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

/** A graph input or output: element type and shape, a string for a symbolic dimension (e.g. 'batch'). */
export interface OnnxValueInfo {
  name: string;
  elemType: DataType;
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  /** Topologically ordered, as ONNX requires. */
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  /** Data inputs; an initializer may also be listed here (older exporters do), which makes it overridable. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  producerName?: string;
  graph: OnnxGraph;
}
