// ModelProto bytes → OnnxModel: the fields of onnx.proto3 that model.ts keeps, read with wire.ts.
// Tensors come from raw_data or from the typed repeated fields (float_data, int32_data, …); tensors
// stored outside the file (external data, models over 2 GB) are refused with a clear error.
import { DataType, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './model.js';
import { fields, utf8, varintBigInt, varintNumber, varints, WireError, type WireField } from './wire.js';

/** A malformed or unsupported model; `decodeModel`'s caller names the file. */
export class OnnxDecodeError extends Error {}

const int = (f: WireField): number => {
  if (f.wire !== 0) throw new WireError(`field ${f.field}: expected a varint`);
  return varintNumber(f.lo, f.hi);
};
const bytesOf = (f: WireField): Uint8Array => {
  if (f.wire !== 2) throw new WireError(`field ${f.field}: expected a length-delimited field`);
  return f.bytes;
};
const str = (f: WireField): string => utf8(bytesOf(f));
/** A copy, so typed arrays over it are aligned and outlive the file buffer. */
const copy = (bytes: Uint8Array): ArrayBuffer => new Uint8Array(bytes).buffer as ArrayBuffer; // Buffer.slice would not copy

/** Little-endian fixed-width values of a packed field (or one unpacked value). */
const fixed32Floats = (f: WireField): number[] => {
  if (f.wire !== 2 && f.wire !== 5) throw new WireError(`field ${f.field}: expected floats`);
  return Array.from(new Float32Array(copy(f.bytes)));
};
const fixed64Doubles = (f: WireField): number[] => {
  if (f.wire !== 2 && f.wire !== 1) throw new WireError(`field ${f.field}: expected doubles`);
  return Array.from(new Float64Array(copy(f.bytes)));
};

const ELEMENT_BYTES: Partial<Record<number, number>> = {
  [DataType.FLOAT]: 4, [DataType.UINT8]: 1, [DataType.INT8]: 1, [DataType.INT32]: 4, [DataType.INT64]: 8,
  [DataType.BOOL]: 1, [DataType.FLOAT16]: 2, [DataType.DOUBLE]: 8, [DataType.BFLOAT16]: 2,
};

/** Values held in int32_data (ONNX puts float16/bfloat16 bit patterns, int8, uint8 and bool there) as raw bytes. */
function int32DataBytes(dataType: number, values: number[]): Uint8Array {
  const width = ELEMENT_BYTES[dataType]!;
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (width === 1) view.setUint8(i, v & 0xff);
    else if (width === 2) view.setUint16(2 * i, v & 0xffff, true);
    else view.setInt32(4 * i, v, true);
  });
  return out;
}

function tensorData(dataType: number, raw: Uint8Array | null, typed: { floats: number[]; ints: number[]; int64s: bigint[]; doubles: number[] }): OnnxTensor['data'] {
  switch (dataType) {
    case DataType.FLOAT:
      return raw ? new Float32Array(copy(raw)) : Float32Array.from(typed.floats);
    case DataType.DOUBLE:
      return raw ? new Float64Array(copy(raw)) : Float64Array.from(typed.doubles);
    case DataType.INT64:
      return raw ? new BigInt64Array(copy(raw)) : BigInt64Array.from(typed.int64s);
    case DataType.INT32:
      return raw ? new Int32Array(copy(raw)) : Int32Array.from(typed.ints);
    default:
      return raw ? new Uint8Array(raw) : int32DataBytes(dataType, typed.ints);
  }
}

export function decodeTensor(bytes: Uint8Array): OnnxTensor {
  let name = '';
  let dataType = 0;
  const dims: number[] = [];
  let raw: Uint8Array | null = null;
  let external = false;
  const typed = { floats: [] as number[], ints: [] as number[], int64s: [] as bigint[], doubles: [] as number[] };
  for (const f of fields(bytes)) {
    switch (f.field) {
      case 1: dims.push(...varints(f).map(({ lo, hi }) => varintNumber(lo, hi))); break;
      case 2: dataType = int(f); break;
      case 3: throw new OnnxDecodeError('segmented tensors are not supported');
      case 4: typed.floats.push(...fixed32Floats(f)); break;
      case 5: typed.ints.push(...varints(f).map(({ lo, hi }) => varintNumber(lo, hi))); break;
      case 7: typed.int64s.push(...varints(f).map(({ lo, hi }) => varintBigInt(lo, hi))); break;
      case 8: name = str(f); break;
      case 9: raw = bytesOf(f); break;
      case 10: typed.doubles.push(...fixed64Doubles(f)); break;
      case 13: external = true; break;
      case 14: external ||= int(f) === 1; break;
    }
  }
  if (external) {
    throw new OnnxDecodeError(`tensor ${JSON.stringify(name)} is stored as external data (a separate file beside the model); ` +
      're-export with the weights inside the model (e.g. onnx.save_model(m, path, save_as_external_data=False))');
  }
  const width = ELEMENT_BYTES[dataType];
  if (width === undefined) throw new OnnxDecodeError(`tensor ${JSON.stringify(name)} has data type ${dataType}, which lca does not read`);
  const count = dims.reduce((a, b) => a * b, 1);
  const data = tensorData(dataType, raw, typed);
  const have = data instanceof Uint8Array ? data.length / width : data.length;
  if (have !== count) throw new OnnxDecodeError(`tensor ${JSON.stringify(name)} of shape [${dims.join(', ')}] holds ${have} values, not ${count}`);
  return { name, dataType: dataType as DataType, dims, data };
}

function decodeAttribute(bytes: Uint8Array, node: string): [string, OnnxAttribute] | null {
  let name = '';
  let type = 0;
  const parts: { f?: number; i?: number; s?: Uint8Array; t?: OnnxTensor; floats: number[]; ints: number[]; graph: boolean } = { floats: [], ints: [], graph: false };
  for (const f of fields(bytes)) {
    switch (f.field) {
      case 1: name = str(f); break;
      case 20: type = int(f); break;
      case 2: parts.f = fixed32Floats(f)[0]; break;
      case 3: parts.i = int(f); break;
      case 4: parts.s = bytesOf(f); break;
      case 5: parts.t = decodeTensor(bytesOf(f)); break;
      case 6: case 11: parts.graph = true; break;
      case 7: parts.floats.push(...fixed32Floats(f)); break;
      case 8: parts.ints.push(...varints(f).map(({ lo, hi }) => varintNumber(lo, hi))); break;
    }
  }
  switch (type) {
    case 1: return [name, { kind: 'float', value: parts.f ?? 0 }];
    case 2: return [name, { kind: 'int', value: parts.i ?? 0 }];
    case 3: return [name, { kind: 'string', value: utf8(parts.s ?? new Uint8Array()) }];
    case 4:
      if (!parts.t) throw new OnnxDecodeError(`node ${JSON.stringify(node)}: attribute ${name} has no tensor`);
      return [name, { kind: 'tensor', value: parts.t }];
    case 6: return [name, { kind: 'floats', value: parts.floats }];
    case 7: return [name, { kind: 'ints', value: parts.ints }];
    default:
      // Subgraphs (If, Loop, Scan) and the rarer kinds: kept out of the model, so such a node reaches
      // the supported-op check without them and fails there naming its op.
      return null;
  }
}

function decodeNode(bytes: Uint8Array): OnnxNode {
  const node: OnnxNode = { opType: '', name: '', inputs: [], outputs: [], attributes: {} };
  const attributeBytes: Uint8Array[] = [];
  for (const f of fields(bytes)) {
    switch (f.field) {
      case 1: node.inputs.push(str(f)); break;
      case 2: node.outputs.push(str(f)); break;
      case 3: node.name = str(f); break;
      case 4: node.opType = str(f); break;
      case 5: attributeBytes.push(bytesOf(f)); break;
      case 7: node.domain = str(f); break;
    }
  }
  for (const a of attributeBytes) {
    const entry = decodeAttribute(a, node.name);
    if (entry) node.attributes[entry[0]] = entry[1];
  }
  return node;
}

function decodeValueInfo(bytes: Uint8Array): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 0 as DataType, shape: [] };
  for (const f of fields(bytes)) {
    if (f.field === 1) info.name = str(f);
    if (f.field !== 2) continue;
    for (const t of fields(bytesOf(f))) {
      if (t.field !== 1) continue; // tensor_type; sequences and maps keep an empty shape and type 0
      for (const tt of fields(bytesOf(t))) {
        if (tt.field === 1) info.elemType = int(tt) as DataType;
        if (tt.field !== 2) continue;
        for (const dim of fields(bytesOf(tt))) {
          if (dim.field !== 1) continue;
          let value: number | string = '?';
          for (const d of fields(bytesOf(dim))) {
            if (d.field === 1) value = int(d);
            if (d.field === 2) value = str(d);
          }
          info.shape.push(value);
        }
      }
    }
  }
  return info;
}

function decodeGraph(bytes: Uint8Array): OnnxGraph {
  const graph: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [] };
  for (const f of fields(bytes)) {
    switch (f.field) {
      case 1: graph.nodes.push(decodeNode(bytesOf(f))); break;
      case 2: graph.name = str(f); break;
      case 5: graph.initializers.push(decodeTensor(bytesOf(f))); break;
      case 11: graph.inputs.push(decodeValueInfo(bytesOf(f))); break;
      case 12: graph.outputs.push(decodeValueInfo(bytesOf(f))); break;
      case 15: throw new OnnxDecodeError('sparse initializers are not supported');
    }
  }
  return graph;
}

/** Decodes a serialized ModelProto; throws OnnxDecodeError (or WireError for broken bytes) without a file name. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const model: OnnxModel = { irVersion: 0, opsetImports: [], graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [] } };
  let sawGraph = false;
  for (const f of fields(bytes)) {
    switch (f.field) {
      case 1: model.irVersion = int(f); break;
      case 2: model.producerName = str(f); break;
      case 7: model.graph = decodeGraph(bytesOf(f)); sawGraph = true; break;
      case 8: {
        const opset = { domain: '', version: 0 };
        for (const o of fields(bytesOf(f))) {
          if (o.field === 1) opset.domain = str(o);
          if (o.field === 2) opset.version = int(o);
        }
        model.opsetImports.push(opset);
        break;
      }
    }
  }
  if (!sawGraph) throw new OnnxDecodeError('no graph (is this an ONNX model file?)');
  return model;
}
