// Arrow row files: write → read round trips across several record batches, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openRowFile, RowFileWriter } from '../src/store/arrow-rows.js';
import { InputError } from '../src/errors.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = () => tempDir('lca-arrow-');
const layout = {
  scalars: [{ name: 'iteration', type: 'int32' as const }, { name: 'loss', type: 'float64' as const }],
  vectors: [{ name: 'big/kernel', size: 1_500_000 }, { name: 'big/bias', size: 3 }],
};
const rowValue = (r: number, i: number) => Math.fround(Math.sin(r * 1000 + i));

test('rows survive a round trip through several record batches, metadata included', async () => {
  const file = path.join(tmp(), 'rows.arrow');
  const writer = RowFileWriter.create(file, layout, { 'lca.kind': 'test', 'lca.json': JSON.stringify({ a: [1, 2] }) });
  const rows = 7; // 6 MB per row → 2 rows per 16 MB batch → 4 batches
  const flat = new Float32Array(1_500_003);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < flat.length; i++) flat[i] = rowValue(r, i);
    await writer.append({ iteration: r, loss: r / 3 }, flat);
  }
  await writer.close();

  const reader = await openRowFile(file);
  assert.equal(reader.metadata.get('lca.kind'), 'test');
  assert.deepEqual(JSON.parse(reader.metadata.get('lca.json')!), { a: [1, 2] });
  assert.deepEqual(reader.vectorColumns, [{ name: 'big/kernel', size: 1_500_000 }, { name: 'big/bias', size: 3 }]);
  assert.ok(reader.numBatches >= 3, `expected several batches, got ${reader.numBatches}`);
  let seen = 0;
  for await (const batch of reader.batches()) {
    const iterations = batch.scalar('iteration');
    for (let r = 0; r < batch.numRows; r++) {
      const it = iterations[r];
      assert.equal(it, seen);
      assert.equal(batch.scalar('loss')[r], it / 3);
      const kernel = batch.vector(0).subarray(r * 1_500_000, (r + 1) * 1_500_000);
      for (const i of [0, 1, 777_777, 1_499_999]) assert.equal(kernel[i], rowValue(it, i));
      assert.deepEqual(Array.from(batch.vector(1).subarray(r * 3, r * 3 + 3)), [0, 1, 2].map((i) => rowValue(it, 1_500_000 + i)));
      seen++;
    }
  }
  assert.equal(seen, rows);
  await reader.close();
});

test('an existing file is never overwritten', async () => {
  const file = path.join(tmp(), 'rows.arrow');
  fs.writeFileSync(file, 'precious');
  const writer = RowFileWriter.create(file, layout, {});
  await assert.rejects(writer.close());
  assert.equal(fs.readFileSync(file, 'utf8'), 'precious');
});

test('missing, truncated and non-Arrow files give InputErrors naming the file', async () => {
  const dir = tmp();
  const isInputError = (name: string, what: RegExp) => (e: unknown) => e instanceof InputError && e.message.startsWith(name) && what.test(e.message);
  await assert.rejects(openRowFile(path.join(dir, 'none.arrow')), isInputError(path.join(dir, 'none.arrow'), /cannot open \(ENOENT\)/));
  const file = path.join(dir, 'rows.arrow');
  const writer = RowFileWriter.create(file, { scalars: layout.scalars, vectors: [{ name: 'v', size: 4 }] }, {});
  await writer.append({ iteration: 0, loss: 1 }, [1, 2, 3, 4]);
  await writer.close();
  const bytes = fs.readFileSync(file);
  const cut = path.join(dir, 'cut.arrow');
  fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 20));
  await assert.rejects(openRowFile(cut), isInputError(cut, /not a readable Arrow IPC file/));
  const text = path.join(dir, 'text.arrow');
  fs.writeFileSync(text, 'hello, world: this is not arrow at all');
  await assert.rejects(openRowFile(text), isInputError(text, /not a readable Arrow IPC file/));
});
