// Arrow IPC files whose rows are iterations: scalar columns (Int32/Float32/Float64) plus one
// FixedSizeList<Float32> column per model variable. Written incrementally in record batches of
// ~16 MB, built zero-copy, with the writer's backpressure respected; read back one batch at a
// time through a file handle, so memory stays bounded by a batch whatever the file's size.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { once } from 'node:events';
import * as arrow from 'apache-arrow';
import { InputError } from '../errors.js';

export type ScalarType = 'int32' | 'float32' | 'float64';
export interface ScalarColumn { name: string; type: ScalarType }
export interface VectorColumn { name: string; size: number }

export interface RowLayout {
  scalars: readonly ScalarColumn[];
  vectors: readonly VectorColumn[];
}

const TARGET_BATCH_BYTES = 16 << 20;

/** Rows per record batch that RowFileWriter writes (all but the last batch hold exactly this many). */
export function rowsPerBatch(layout: RowLayout): number {
  const rowBytes = 8 * layout.scalars.length + 4 * layout.vectors.reduce((a, c) => a + c.size, 0);
  return Math.max(1, Math.floor(TARGET_BATCH_BYTES / rowBytes));
}

// makeData's overloads are keyed on the concrete type, so each scalar type gets its own call.
function scalarData(t: ScalarType, values: ScalarArray): arrow.Data {
  const length = values.length;
  if (t === 'int32') return arrow.makeData({ type: new arrow.Int32(), length, data: values as Int32Array });
  if (t === 'float32') return arrow.makeData({ type: new arrow.Float32(), length, data: values as Float32Array });
  return arrow.makeData({ type: new arrow.Float64(), length, data: values as Float64Array });
}

const arrowType = (t: ScalarType) => (t === 'int32' ? new arrow.Int32() : t === 'float32' ? new arrow.Float32() : new arrow.Float64());
export const ArrayOf = (t: ScalarType) => (t === 'int32' ? Int32Array : t === 'float32' ? Float32Array : Float64Array);
type ScalarArray = Int32Array | Float32Array | Float64Array;

function schemaOf(layout: RowLayout, metadata: Record<string, string>): arrow.Schema {
  const fields = [
    ...layout.scalars.map((c) => new arrow.Field(c.name, arrowType(c.type), false)),
    ...layout.vectors.map((c) => new arrow.Field(c.name, new arrow.FixedSizeList(c.size, new arrow.Field('item', new arrow.Float32(), false)), false)),
  ];
  return new arrow.Schema(fields, new Map(Object.entries(metadata)));
}

/** Appends rows to a new Arrow IPC file (with footer, so readers get random access by batch). */
export class RowFileWriter {
  private readonly schema: arrow.Schema;
  private readonly capacity: number;
  private scalars: ScalarArray[] = [];
  private vectors: Float32Array[] = [];
  private rows = 0;
  private failure: Error | null = null; // the sink's (e.g. ENOSPC, with the file named), rethrown to whoever awaits the writer

  private constructor(
    private readonly layout: RowLayout,
    metadata: Record<string, string>,
    private readonly writer: arrow.RecordBatchFileWriter,
    private readonly sink: fs.WriteStream,
  ) {
    this.schema = schemaOf(layout, metadata);
    this.capacity = rowsPerBatch(layout);
    this.allocate();
    // A failed write carries no path (fs.write takes a descriptor); the CLI's line names the file from it.
    sink.on('error', (err: NodeJS.ErrnoException) => (this.failure ??= Object.assign(err, { path: err.path ?? String(sink.path) })));
  }

  static create(file: string, layout: RowLayout, metadata: Record<string, string>): RowFileWriter {
    const sink = fs.createWriteStream(file, { flags: 'wx', flush: true });
    const writer = new arrow.RecordBatchFileWriter();
    writer.toNodeStream().pipe(sink);
    return new RowFileWriter(layout, metadata, writer, sink);
  }

  private allocate(): void {
    this.scalars = this.layout.scalars.map((c) => new (ArrayOf(c.type))(this.capacity));
    this.vectors = this.layout.vectors.map((c) => new Float32Array(this.capacity * c.size));
    this.rows = 0;
  }

  /** Adds one row: scalars by column name, vectors as one flat array in column order. */
  async append(scalars: Record<string, number>, flat: ArrayLike<number>): Promise<void> {
    this.layout.scalars.forEach((c, k) => (this.scalars[k][this.rows] = scalars[c.name]));
    let offset = 0;
    this.layout.vectors.forEach((c, k) => {
      const row = this.vectors[k].subarray(this.rows * c.size, (this.rows + 1) * c.size);
      for (let i = 0; i < c.size; i++) row[i] = flat[offset + i];
      offset += c.size;
    });
    if (++this.rows === this.capacity) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.rows === 0) return;
    const n = this.rows;
    const children = [
      ...this.layout.scalars.map((c, k) => scalarData(c.type, this.scalars[k].subarray(0, n))),
      ...this.layout.vectors.map((c, k) => arrow.makeData({
        type: this.schema.fields[this.layout.scalars.length + k].type as arrow.FixedSizeList<arrow.Float32>,
        length: n,
        child: arrow.makeData({ type: new arrow.Float32(), length: n * c.size, data: this.vectors[k].subarray(0, n * c.size) }),
      })),
    ];
    this.writer.write(new arrow.RecordBatch(this.schema, arrow.makeData({ type: new arrow.Struct(this.schema.fields), length: n, children })));
    this.allocate(); // the batch still references the old buffers until the sink has them
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure) throw this.failure;
    if (this.sink.writableNeedDrain) await once(this.sink, 'drain');
  }

  /** Writes the last batch and the footer, and resolves once the bytes are on disk. */
  async close(): Promise<void> {
    await this.flush();
    const closed = this.sink.closed ? Promise.resolve() : once(this.sink, 'close');
    this.writer.close();
    await closed;
    if (this.failure) throw this.failure;
  }
}

export interface RowBatch {
  numRows: number;
  scalar(name: string): ScalarArray;
  /** Values of vector column k: [numRows × size], row r at r·size. */
  vector(k: number): Float32Array;
}

export interface RowFile {
  metadata: Map<string, string>;
  numBatches: number;
  vectorColumns: VectorColumn[];
  /** Record batches `from` … end; the footer lets a reader start anywhere without decoding earlier ones. */
  batches(from?: number): AsyncIterable<RowBatch>;
  close(): Promise<void>;
}

/** Opens an Arrow IPC file written by RowFileWriter (or by anyone with the same layout). */
export async function openRowFile(file: string): Promise<RowFile> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (err) {
    throw new InputError(`${file}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    const reader = await arrow.RecordBatchReader.from(handle);
    await reader.open();
    if (!reader.isFile()) throw new Error('not an Arrow IPC file (no footer)');
    const fields = reader.schema.fields;
    const vectorColumns = fields.filter((f) => f.type instanceof arrow.FixedSizeList).map((f) => ({ name: f.name, size: (f.type as arrow.FixedSizeList).listSize }));
    const firstVector = fields.findIndex((f) => f.type instanceof arrow.FixedSizeList);
    const numBatches = reader.numRecordBatches;
    return {
      metadata: reader.schema.metadata,
      numBatches,
      vectorColumns,
      async *batches(from = 0) {
        for (let k = from; k < numBatches; k++) {
          let batch: arrow.RecordBatch | null;
          try {
            batch = await reader.readRecordBatch(k);
          } catch (err) {
            throw new InputError(`${file}: cannot read record batch ${k} (${(err as Error).message})`);
          }
          if (!batch) throw new InputError(`${file}: record batch ${k} is missing`);
          const data = batch.data;
          yield {
            numRows: batch.numRows,
            scalar: (name: string) => {
              const index = fields.findIndex((f) => f.name === name);
              if (index < 0) throw new InputError(`${file}: no column ${name}`);
              return data.children[index].values as ScalarArray;
            },
            vector: (k: number) => data.children[firstVector + k].children[0].values as Float32Array,
          };
        }
      },
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: not a readable Arrow IPC file (${(err as Error).message})`);
  }
}
