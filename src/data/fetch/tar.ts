// A streaming reader for tar archives (POSIX ustar, GNU and pax long names) that writes regular files
// under one folder and refuses paths that would leave it; .tar.gz is gunzipped with node:zlib.
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../errors.js';

// Layout (POSIX.1-1988 ustar, https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06):
// 512-byte header (name 0..100, size 124..136 octal, chksum 148..156, typeflag 156, magic 257..263,
// prefix 345..500), then the data padded to 512; two zero blocks end the archive.
const BLOCK = 512;

/** Pulls exact byte counts out of a chunked stream without holding more than one chunk. */
class ByteReader {
  private pending: Buffer = Buffer.alloc(0);
  offset = 0;
  constructor(private readonly chunks: AsyncIterator<Uint8Array>) {}

  /** Between 1 and `max` bytes, or null at the end of the stream. */
  async some(max: number): Promise<Buffer | null> {
    while (this.pending.length === 0) {
      const next = await this.chunks.next();
      if (next.done === true) return null;
      this.pending = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    }
    const out = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(out.length);
    this.offset += out.length;
    return out;
  }

  /** Exactly `n` bytes; fewer only if the stream ended (then the caller reports the truncation). */
  async exactly(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const part = await this.some(n - got);
      if (part === null) break;
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts, got);
  }
}

interface Header {
  path: string;
  size: number;
  type: string;
}

/** Extracts a .tar.gz file into `dest`; returns the relative paths of the files written. `label` names it in errors. */
export async function extractTarGz(file: string, dest: string, label = file): Promise<string[]> {
  const archive = label;
  const stream = createReadStream(file).pipe(createGunzip());
  try {
    return await extractTar(stream, dest, archive);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code?.startsWith('Z_') === true) throw new InputError(`${archive}: corrupt gzip data (${(err as Error).message})`);
    throw err;
  } finally {
    stream.destroy();
  }
}

/** Reads a tar stream and writes its regular files and folders under `dest`; `archive` names it in errors. */
export async function extractTar(source: AsyncIterable<Uint8Array>, dest: string, archive: string): Promise<string[]> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  const written: string[] = [];
  // A GNU 'L' or pax 'x' entry carries the real name (and pax the real size) of the entry after it.
  let longName: string | undefined;
  let paxSize: number | undefined;
  for (;;) {
    const at = reader.offset;
    const block = await reader.exactly(BLOCK);
    if (block.length === 0) break; // no end marker: GNU tar accepts this too
    if (block.length < BLOCK) throw new InputError(`${archive}: truncated tar archive (a header at byte ${at} is cut short)`);
    if (block.every((b) => b === 0)) break;
    const header = parseHeader(block, archive, at);
    const size = paxSize ?? header.size;
    const path = longName ?? header.path;
    longName = undefined;
    paxSize = undefined;
    if (header.type === 'L' || header.type === 'x') {
      const data = (await readData(reader, size, archive, path)).toString('utf8');
      if (header.type === 'L') longName = data.replace(/\0.*$/s, '');
      else ({ path: longName, size: paxSize } = parsePax(data));
      continue;
    }
    if (header.type === '5') {
      mkdirSync(join(dest, safePath(path, archive)), { recursive: true });
      await skipData(reader, size, archive, path);
    } else if (header.type === '0' || header.type === '\0' || header.type === '7') {
      const relative = safePath(path, archive);
      await writeData(reader, size, join(dest, relative), archive, relative);
      written.push(relative);
    } else {
      // Links, devices, FIFOs, pax globals ('g'): nothing a dataset needs, and links could point outside `dest`.
      await skipData(reader, size, archive, path);
    }
  }
  return written;
}

function parseHeader(block: Buffer, archive: string, at: number): Header {
  const stored = octal(block.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]; // the checksum counts its own field as spaces
    unsigned += b;
    signed += b > 127 ? b - 256 : b; // some old tars summed signed chars
  }
  if (stored !== unsigned && stored !== signed) throw new InputError(`${archive}: corrupt tar header at byte ${at} (checksum ${stored}, computed ${unsigned})`);
  const name = cString(block.subarray(0, 100));
  // Only POSIX ustar ("ustar\0") has a prefix field; GNU's "ustar  " keeps other data at that offset.
  const prefix = block.toString('latin1', 257, 263) === 'ustar\0' ? cString(block.subarray(345, 500)) : '';
  return { path: prefix === '' ? name : `${prefix}/${name}`, size: sizeField(block.subarray(124, 136)), type: String.fromCharCode(block[156]) };
}

// Sizes of 8 GiB and more are stored base-256 (GNU): high bit set, big-endian after it.
function sizeField(field: Buffer): number {
  if ((field[0] & 0x80) === 0) return octal(field);
  let n = field[0] & 0x7f;
  for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
  return n;
}

const octal = (field: Buffer): number => {
  const text = cString(field).trim();
  return text === '' ? 0 : parseInt(text, 8);
};
const cString = (field: Buffer): string => {
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end === -1 ? field.length : end);
};

// Pax records: "<length> <key>=<value>\n"; only path and size matter here.
function parsePax(data: string): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  for (const record of data.split('\n')) {
    const m = /^\d+ ([^=]+)=(.*)$/s.exec(record);
    if (m?.[1] === 'path') out.path = m[2];
    if (m?.[1] === 'size') out.size = Number(m[2]);
  }
  return out;
}

/** The entry's path made relative and checked: absolute paths and `..` would write outside the folder. */
function safePath(path: string, archive: string): string {
  const normal = posix.normalize(path.replace(/^(\.\/)+/, ''));
  if (path === '' || posix.isAbsolute(path) || normal === '..' || normal.startsWith('../') || normal === '.') {
    throw new InputError(`${archive}: entry '${path}' would be written outside the target folder`);
  }
  return normal.replace(/\/$/, '');
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

async function readData(reader: ByteReader, size: number, archive: string, path: string): Promise<Buffer> {
  const data = await reader.exactly(size);
  if (data.length < size) throw truncated(archive, path);
  await skip(reader, padding(size), archive, path);
  return data;
}

const skipData = (reader: ByteReader, size: number, archive: string, path: string) => skip(reader, size + padding(size), archive, path);

async function skip(reader: ByteReader, n: number, archive: string, path: string): Promise<void> {
  for (let left = n; left > 0; ) {
    const part = await reader.some(left);
    if (part === null) throw truncated(archive, path);
    left -= part.length;
  }
}

async function writeData(reader: ByteReader, size: number, file: string, archive: string, path: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  try {
    for (let left = size; left > 0; ) {
      const part = await reader.some(left);
      if (part === null) throw truncated(archive, path);
      left -= part.length;
      if (!out.write(part)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } finally {
    out.destroy();
  }
  await skip(reader, padding(size), archive, path);
}

const truncated = (archive: string, path: string) => new InputError(`${archive}: truncated tar archive (entry '${path}' is cut short)`);
