// safetensors (Hugging Face's format, what most PyTorch checkpoints are saved as today): an 8-byte
// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then the bytes.
import fs from 'node:fs';
import { InputError } from '../errors.js';
import { readInput } from './tensors.js';
import { checkSize, DTYPE_BYTES, elementCount, type Dtype, type RawTensor } from './tensors.js';

const CODES: Record<string, Dtype> = {
  F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};
const codeOf = (dtype: Dtype): string => Object.keys(CODES).find((code) => CODES[code] === dtype)!;

interface HeaderEntry { dtype: string; shape: number[]; data_offsets: [number, number] }

/** Every tensor of a safetensors file, in the header's order. */
export function readSafetensors(file: string): RawTensor[] {
  const bytes = readInput(file);
  if (bytes.length < 8) throw new InputError(`${file}: too short to be a safetensors file`);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength > bytes.length - 8) throw new InputError(`${file}: not a safetensors file (header length ${headerLength} exceeds the file)`);
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch (err) {
    throw new InputError(`${file}: not a safetensors file (header is not JSON: ${(err as Error).message})`);
  }
  const data = bytes.subarray(8 + headerLength);
  const tensors: RawTensor[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype: code, shape, data_offsets: offsets } = entry as HeaderEntry;
    const dtype = CODES[code];
    if (!dtype) throw new InputError(`${file}: ${name} has dtype ${code}, which lca does not read`);
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets[1] > data.length || offsets[0] > offsets[1]) {
      throw new InputError(`${file}: ${name} has a malformed header entry`);
    }
    const tensor = { name, dtype, shape, bytes: new Uint8Array(data.buffer, data.byteOffset + offsets[0], offsets[1] - offsets[0]) };
    checkSize(tensor, file);
    tensors.push(tensor);
  }
  return tensors;
}

/** Writes tensors as a safetensors file (header padded to 8 bytes, as the reference writer does). */
export function writeSafetensors(file: string, tensors: readonly RawTensor[]): void {
  const header: Record<string, HeaderEntry> = {};
  let offset = 0;
  for (const t of tensors) {
    const size = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: codeOf(t.dtype), shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(json), ...tensors.map((t) => t.bytes)]));
}
