// The per-iteration columns of a RowFileWriter file without its vectors: reads the schema from the
// footer, then walks the record-batch messages and reads only the scalar columns' buffers, so a part's
// T×K matrix is skipped on disk rather than decoded (`lca status`, error reports, figures' series).
import fsp from 'node:fs/promises';
import * as arrow from 'apache-arrow';
import { InputError } from '../errors.js';
import { ArrayOf, type ScalarType, type VectorColumn } from './arrow-rows.js';

const ARROW_MAGIC = 'ARROW1';
const ARROW_MAGIC_BYTES = 8; // "ARROW1" and two bytes of padding

type ScalarBuffers = Map<string, { buffer: number; type: ScalarType }>;

/** Where each scalar column's values sit among a record batch's buffers (depth-first, validity first). */
function scalarBuffers(schema: arrow.Schema, file: string): ScalarBuffers {
  const found: ScalarBuffers = new Map();
  let buffer = 0;
  for (const field of schema.fields) {
    const t = field.type;
    if (t instanceof arrow.FixedSizeList) {
      buffer += 3; // the list's validity, then its float child's validity and values
      continue;
    }
    const type: ScalarType | null = arrow.DataType.isInt(t) && t.bitWidth === 32 && t.isSigned ? 'int32'
      : arrow.DataType.isFloat(t) ? ({ [arrow.Precision.SINGLE]: 'float32', [arrow.Precision.DOUBLE]: 'float64' } as const)[t.precision as 1 | 2] ?? null
        : null;
    if (!type) throw new InputError(`${file}: column ${field.name} has type ${String(t)}, which lca does not write`);
    found.set(field.name, { buffer: buffer + 1, type });
    buffer += 2;
  }
  return found;
}

export interface RowFileScan {
  metadata: Map<string, string>;
  vectorColumns: VectorColumn[];
  /** Every scalar column, all batches end to end. */
  scalars: Map<string, Float64Array>;
}

const concat = (parts: Float64Array[]): Float64Array => {
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (all.set(p, offset), offset + p.length), 0);
  return all;
};

/**
 * The metadata and scalar columns of a RowFileWriter file, reading only the scalars' buffers: the
 * vectors (the T×K matrix) are skipped on disk, not decoded. Reads the schema from the footer and walks
 * the record batch messages from the start, so a file cut short is an InputError that says so.
 */
export async function scanRowFile(file: string): Promise<RowFileScan> {
  const handle = await fsp.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`${file}: cannot open (${err.code ?? String(err)})`);
  });
  const bad = (why: string) => new InputError(`${file}: not a readable Arrow IPC file (${why})`);
  try {
    const size = (await handle.stat()).size;
    const read = async (position: number, length: number): Promise<Buffer> => {
      if (position + length > size) throw bad(`truncated: ${size} bytes, cut inside its data`);
      const bytes = Buffer.alloc(length);
      await handle.read(bytes, 0, length, position);
      return bytes;
    };
    if (size < 2 * ARROW_MAGIC_BYTES || (await read(0, 6)).toString('latin1') !== ARROW_MAGIC) throw bad('no Arrow file header');
    if ((await read(size - 6, 6)).toString('latin1') !== ARROW_MAGIC) throw bad(`truncated: ${size} bytes and no footer`);
    let schema: arrow.Schema;
    try { // the schema lives in the footer
      const reader = await arrow.RecordBatchReader.from(handle);
      await reader.open();
      schema = reader.schema;
    } catch (err) {
      throw bad((err as Error).message);
    }
    const columns = scalarBuffers(schema, file);
    const chunks = new Map([...columns.keys()].map((name) => [name, [] as Float64Array[]]));
    let position = ARROW_MAGIC_BYTES;
    for (;;) {
      const prefix = await read(position, 8);
      const continued = prefix.readInt32LE(0) === -1; // since Arrow 0.15 the length follows a continuation marker
      const metaLength = continued ? prefix.readInt32LE(4) : prefix.readInt32LE(0);
      if (metaLength === 0) break; // end of stream: only the footer follows
      const metaStart = position + (continued ? 8 : 4);
      const metaBytes = await read(metaStart, metaLength);
      let message: arrow.Message;
      try {
        message = arrow.Message.decode(metaBytes);
      } catch (err) {
        throw bad((err as Error).message);
      }
      const bodyStart = metaStart + metaLength;
      position = bodyStart + Number(message.bodyLength);
      if (!message.isRecordBatch()) continue;
      const header = message.header() as unknown as { length: number; buffers: { offset: number; length: number }[]; compression: unknown };
      if (header.compression) throw bad('compressed record batches are not supported');
      for (const [name, { buffer, type }] of columns) {
        const region = header.buffers[buffer];
        const bytes = await read(bodyStart + Number(region.offset), Number(region.length));
        chunks.get(name)!.push(Float64Array.from(new (ArrayOf(type))(bytes.buffer as ArrayBuffer, bytes.byteOffset, header.length)));
      }
    }
    const vectorColumns = schema.fields.filter((f) => f.type instanceof arrow.FixedSizeList).map((f) => ({ name: f.name, size: (f.type as arrow.FixedSizeList).listSize }));
    return { metadata: schema.metadata, vectorColumns, scalars: new Map([...chunks].map(([name, parts]) => [name, concat(parts)])) };
  } finally {
    await handle.close();
  }
}
