// .npz archives (np.savez / np.savez_compressed): a zip of .npy members, stored or deflated, with
// zip64 records as numpy writes them. Read whole into memory; `lca export` writes stored members.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { InputError } from '../errors.js';
import { formatNpy, parseNpy } from './npy.js';
import { readInput, type RawTensor } from './tensors.js';

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

interface Entry { name: string; method: number; compressed: number; size: number; offset: number }

function centralDirectory(buf: Buffer, file: string): { count: number; offset: number } {
  for (let p = buf.length - 22; p >= Math.max(0, buf.length - 22 - 65535); p--) {
    if (buf.readUInt32LE(p) !== EOCD) continue;
    let count = buf.readUInt16LE(p + 10);
    let offset = buf.readUInt32LE(p + 16);
    if ((count === 0xffff || offset === MAX32) && p >= 20 && buf.readUInt32LE(p - 20) === EOCD64_LOCATOR) {
      const record = Number(buf.readBigUInt64LE(p - 20 + 8));
      count = Number(buf.readBigUInt64LE(record + 32));
      offset = Number(buf.readBigUInt64LE(record + 48));
    }
    return { count, offset };
  }
  throw new InputError(`${file}: not an .npz (zip) archive`);
}

function entries(buf: Buffer, file: string): Entry[] {
  const { count, offset } = centralDirectory(buf, file);
  const out: Entry[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== CENTRAL) throw new InputError(`${file}: damaged zip central directory`);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const entry: Entry = {
      name: buf.subarray(p + 46, p + 46 + nameLength).toString('utf8'),
      method: buf.readUInt16LE(p + 10), compressed: buf.readUInt32LE(p + 20), size: buf.readUInt32LE(p + 24), offset: buf.readUInt32LE(p + 42),
    };
    // The zip64 extra field holds, in this order, each of size, compressed size and offset that is 0xFFFFFFFF above.
    for (let e = p + 46 + nameLength; e < p + 46 + nameLength + extraLength; e += 4 + buf.readUInt16LE(e + 2)) {
      if (buf.readUInt16LE(e) !== 0x0001) continue;
      let q = e + 4;
      for (const key of ['size', 'compressed', 'offset'] as const) {
        if (entry[key] === MAX32) {
          entry[key] = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
      }
    }
    out.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

function memberBytes(buf: Buffer, entry: Entry, file: string): Uint8Array {
  if (buf.readUInt32LE(entry.offset) !== LOCAL) throw new InputError(`${file}: damaged zip entry ${entry.name}`);
  const start = entry.offset + 30 + buf.readUInt16LE(entry.offset + 26) + buf.readUInt16LE(entry.offset + 28);
  const stored = buf.subarray(start, start + entry.compressed);
  if (entry.method === 0) return stored;
  if (entry.method === 8) return zlib.inflateRawSync(stored);
  throw new InputError(`${file}: ${entry.name} uses zip compression method ${entry.method}; save with np.savez or np.savez_compressed`);
}

/** Every array of an .npz file, named as np.savez's keywords (the member name without `.npy`). */
export function readNpz(file: string): RawTensor[] {
  const buf = readInput(file);
  return entries(buf, file)
    .filter((e) => e.name.endsWith('.npy'))
    .map((e) => {
      const name = e.name.slice(0, -'.npy'.length);
      return parseNpy(memberBytes(buf, e, file), name, `${file}: ${name}`);
    });
}

/** Writes an uncompressed .npz (what np.savez writes), sizes below 4 GB per member and in all. */
export function writeNpz(file: string, tensors: readonly RawTensor[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    const data = formatNpy(tensor);
    const name = Buffer.from(`${tensor.name}.npy`);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  if (offset > MAX32) throw new RangeError(`${file}: over 4 GB; lca writes no zip64 archives`);
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(tensors.length, 8);
  end.writeUInt16LE(tensors.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...locals, directory, end]));
}
