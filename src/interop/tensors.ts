// Tensors as other tools save them (safetensors, .npy, .npz): a dtype, a shape and little-endian
// bytes, and their conversion to what lca computes in, float32 parameters and integer labels.
import fs from 'node:fs';
import { InputError } from '../errors.js';

export const DTYPES = ['float32', 'float16', 'bfloat16', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'] as const;
export type Dtype = (typeof DTYPES)[number];

export const DTYPE_BYTES: Record<Dtype, number> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

export interface RawTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Row-major (C order), little-endian. */
  bytes: Uint8Array;
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export const isFloating = (dtype: Dtype): boolean => dtype.startsWith('float') || dtype === 'bfloat16';

/** IEEE half precision to single (exact: every float16 is a float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// new Uint8Array(view) copies even when the view is a Node Buffer, whose slice() would not.
const aligned = (bytes: Uint8Array): ArrayBuffer => new Uint8Array(bytes).buffer as ArrayBuffer;

/**
 * A floating tensor's values as float32. float16 and bfloat16 widen exactly; float64 rounds to
 * nearest, which the caller reports (LCA is computed in float32, as for runs lca trains).
 */
export function toFloat32(tensor: RawTensor, where: string): Float32Array {
  const { dtype, bytes } = tensor;
  switch (dtype) {
    case 'float32':
      return new Float32Array(aligned(bytes));
    case 'float64':
      return Float32Array.from(new Float64Array(aligned(bytes)));
    case 'float16': {
      const halves = new Uint16Array(aligned(bytes));
      return Float32Array.from(halves, halfToFloat);
    }
    case 'bfloat16': {
      // bfloat16 is the top half of a float32.
      const halves = new Uint16Array(aligned(bytes));
      const out = new Uint32Array(halves.length);
      for (let i = 0; i < halves.length; i++) out[i] = halves[i] << 16;
      return new Float32Array(out.buffer);
    }
    default:
      throw new InputError(`${where}: ${tensor.name} is ${dtype}; expected floating-point values (float32, float16, bfloat16 or float64)`);
  }
}

/** An integer tensor's values as numbers (labels). */
export function toIntegers(tensor: RawTensor, where: string): number[] {
  const buffer = aligned(tensor.bytes);
  switch (tensor.dtype) {
    case 'int64': return Array.from(new BigInt64Array(buffer), Number);
    case 'int32': return Array.from(new Int32Array(buffer));
    case 'int16': return Array.from(new Int16Array(buffer));
    case 'int8': return Array.from(new Int8Array(buffer));
    case 'uint8': return Array.from(new Uint8Array(buffer));
    default:
      throw new InputError(`${where}: ${tensor.name} is ${tensor.dtype}; expected integer class ids (int64, int32, int16, int8 or uint8)`);
  }
}

/** Checks that the bytes hold exactly shape's elements of dtype. */
export function checkSize(tensor: RawTensor, where: string): void {
  const expected = elementCount(tensor.shape) * DTYPE_BYTES[tensor.dtype];
  if (tensor.bytes.length !== expected) {
    throw new InputError(`${where}: ${tensor.name} (${tensor.dtype} [${tensor.shape.join(', ')}]) should hold ${expected} bytes, found ${tensor.bytes.length}`);
  }
}

/** A whole input file, or an InputError naming it. */
export function readInput(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new InputError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
