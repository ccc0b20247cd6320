// Reads and writes IDX files (the MNIST format), plain or gzipped, unsigned-byte data only.

import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../errors.js';

// Format: http://yann.lecun.com/exdb/mnist/ ("THE IDX FILE FORMAT"). Magic = 0x00 0x00 <type> <ndims>,
// then ndims big-endian uint32 sizes, then the data in row-major (C) order.
const UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double',
};

export interface IdxArray {
  /** Sizes, outermost first, e.g. [60000, 28, 28]. */
  dims: number[];
  /** Row-major bytes; length is the product of dims. */
  data: Uint8Array;
}

/** Reads an unsigned-byte IDX file; gzip is detected by its magic bytes (1f 8b), not the name. */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new InputError(`${path}: cannot read IDX file (${fsReason(err)})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new InputError(`${path}: corrupt gzip data (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return parseIdx(bytes, path);
}

/** Parses IDX bytes already in memory; `path` only names the source in error messages. */
export function parseIdx(bytes: Uint8Array, path: string): IdxArray {
  if (bytes.length < 4) throw new InputError(`${path}: truncated IDX file (${bytes.length} bytes, no header)`);
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[3] === 0) {
    throw new InputError(`${path}: not an IDX file (magic number ${hex(bytes, 0, 4)})`);
  }
  const type = bytes[2];
  if (type !== UBYTE) {
    const known = TYPE_NAMES[type];
    const what = known === undefined ? 'unknown data type' : `unsupported data type (${known})`;
    throw new InputError(`${path}: ${what} 0x${type.toString(16).padStart(2, '0')}; only unsigned byte (0x08) is supported`);
  }
  const ndims = bytes[3];
  const dataStart = 4 + 4 * ndims;
  if (bytes.length < dataStart) {
    throw new InputError(`${path}: truncated IDX file (header declares ${ndims} dimensions but the file has ${bytes.length} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    size *= n;
  }
  const found = bytes.length - dataStart;
  if (found < size) {
    throw new InputError(`${path}: truncated IDX file (dimensions [${dims.join(', ')}] need ${size} data bytes, found ${found})`);
  }
  if (found > size) {
    throw new InputError(`${path}: malformed IDX file (${found - size} bytes after the [${dims.join(', ')}] data)`);
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart, size) };
}

/** Encodes an unsigned-byte IDX array. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (dims.length === 0 || dims.length > 255 || size !== data.length) {
    throw new RangeError(`IDX dims [${dims.join(', ')}] do not describe ${data.length} bytes`);
  }
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Writes an unsigned-byte IDX file; gzip output is deterministic (level 9, zero mtime). */
export function writeIdx(path: string, dims: readonly number[], data: Uint8Array, opts: { gzip?: boolean } = {}): void {
  const raw = encodeIdx(dims, data);
  // Node's gzip header always carries mtime 0, so equal input gives byte-identical files.
  writeFileSync(path, opts.gzip === true ? gzipSync(raw, { level: 9 }) : raw);
}

function hex(bytes: Uint8Array, start: number, end: number): string {
  return Array.from(bytes.subarray(start, end), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file', EISDIR: 'is a directory', EACCES: 'permission denied', EPERM: 'permission denied',
};

// fs messages repeat the path ("ENOENT: no such file or directory, open '/x'"); keep the reason only.
function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) return FS_REASONS[code] ?? code;
  return err instanceof Error ? err.message : String(err);
}
