// NumPy's .npy format: magic, version, a Python-literal header {'descr', 'fortran_order', 'shape'},
// then the array's bytes. Read for checkpoints and data; written by `lca export`.
import { InputError } from '../errors.js';
import { checkSize, DTYPE_BYTES, elementCount, type Dtype, type RawTensor } from './tensors.js';

const MAGIC = '\x93NUMPY';

const DESCRS: Record<string, Dtype> = {
  '<f4': 'float32', '<f2': 'float16', '<f8': 'float64', '<i8': 'int64', '<i4': 'int32', '<i2': 'int16',
  '|i1': 'int8', '|u1': 'uint8', '|b1': 'bool',
};
const descrOf = (dtype: Dtype): string => Object.keys(DESCRS).find((d) => DESCRS[d] === dtype)!;

/** Parses one .npy array; `where` names it in errors (a file, or a file and an npz member). */
export function parseNpy(bytes: Uint8Array, name: string, where: string): RawTensor {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || buf.subarray(0, 6).toString('latin1') !== MAGIC) throw new InputError(`${where}: not a .npy array (bad magic)`);
  const major = buf[6];
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + headerLength).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new InputError(`${where}: malformed .npy header ${JSON.stringify(header.trim())}`);
  const dtype = DESCRS[descr];
  if (!dtype) throw new InputError(`${where}: dtype ${descr} is not supported (save float32/float16/float64 values or integer labels, little-endian)`);
  if (fortran === 'True') throw new InputError(`${where}: Fortran-ordered array; save np.ascontiguousarray(a) instead`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const tensor = { name, dtype, shape, bytes: bytes.subarray(start + headerLength) };
  checkSize(tensor, where);
  return tensor;
}

/** A .npy file's bytes for a tensor (format 1.0, header padded to 64 bytes as numpy writes it). */
export function formatNpy(tensor: RawTensor): Buffer {
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${descrOf(tensor.dtype)}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write(MAGIC, 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  if (tensor.bytes.length !== elementCount(tensor.shape) * DTYPE_BYTES[tensor.dtype]) throw new RangeError(`${tensor.name}: bytes do not match its shape`);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), tensor.bytes]);
}
