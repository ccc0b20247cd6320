// OnnxModel → ModelProto bytes: a small protobuf writer for the fields onnx.proto3 defines and lca
// uses (field numbers from onnx.proto3). Tensors travel as raw_data (little-endian), which every
// runtime reads; no protobuf library is needed for so few messages.
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './model.js';

/** Appends protobuf wire-format fields to a growing byte list. */
class Writer {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];

  private flushScratch(): void {
    if (this.scratch.length > 0) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.scratch = [];
    }
  }

  private varint(value: bigint | number): void {
    // Negative int64s are written as their 64-bit two's complement, 10 bytes, as protobuf does.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): void {
    this.tag(field, 0);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.scratch.push(...bytes);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.flushScratch();
    this.chunks.push(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, write: (w: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    this.bytes(field, inner.finish());
  }

  packedInts(field: number, values: readonly number[]): void {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: readonly number[]): void {
    this.bytes(field, new Uint8Array(Float32Array.from(values).buffer));
  }

  finish(): Uint8Array {
    this.flushScratch();
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

// The host is little-endian (x64, arm64), as raw_data requires, so a typed array's bytes are its raw data.
const rawBytes = (data: OnnxTensor['data']): Uint8Array => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

function writeTensor(w: Writer, t: OnnxTensor): void {
  w.packedInts(1, t.dims); // dims
  w.int(2, t.dataType); // data_type
  if (t.name) w.string(8, t.name);
  w.bytes(9, rawBytes(t.data)); // raw_data
}

// AttributeProto.AttributeType values.
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function writeAttribute(w: Writer, name: string, a: OnnxAttribute): void {
  w.string(1, name);
  switch (a.kind) {
    case 'float': w.float(2, a.value); break;
    case 'int': w.int(3, a.value); break;
    case 'string': w.string(4, a.value); break;
    case 'tensor': w.message(5, (t) => writeTensor(t, a.value)); break;
    case 'floats': w.packedFloats(7, a.value); break;
    case 'ints': w.packedInts(8, a.value); break;
  }
  w.int(20, ATTRIBUTE_TYPE[a.kind]);
}

function writeNode(w: Writer, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attributes)) w.message(5, (m) => writeAttribute(m, name, a));
  if (n.domain) w.string(7, n.domain);
}

function writeValueInfo(w: Writer, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) => type.message(1, (tensor) => { // TypeProto.tensor_type
    tensor.int(1, v.elemType);
    tensor.message(2, (shape) => {
      for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
    });
  }));
}

function writeGraph(w: Writer, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  for (const v of g.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.message(12, (m) => writeValueInfo(m, v));
}

/** The ModelProto bytes of `model`, as InferenceSession.create and onnx.load read them. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new Writer();
  w.int(1, model.irVersion);
  if (model.producerName) w.string(2, model.producerName);
  w.message(7, (g) => writeGraph(g, model.graph));
  for (const o of model.opsetImports) w.message(8, (m) => {
    if (o.domain) m.string(1, o.domain);
    m.int(2, o.version);
  });
  return w.finish();
}
