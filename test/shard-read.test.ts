// What a shard reads and leaves behind: readIterates starting late jumps to the right record batch
// (and still reads files batched otherwise), and the temporaries of killed computes are ignored by
// readers and cleaned up only when their process is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { rowsPerBatch } from '../src/store/arrow-rows.js';
import { createPartWriter, listParts, lcaLayout } from '../src/store/lca-parts.js';
import type { Manifest } from '../src/store/manifest.js';
import { listTemporaries, removeStaleTemporaries, temporaryName } from '../src/store/temporaries.js';
import { createWeightsWriter, readIterates, weightsLayout } from '../src/store/weights.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-shard-read-');
const K = 1 << 20; // 4 MB rows, so a 16 MB record batch holds 3 of them
const variables = [{ name: 'w', shape: [K], offset: 0, size: K }];
const T = 9;
const manifest = { files: { weights: 'weights.arrow' }, model: { variables, parameters: K }, training: { iterations: T } } as unknown as Manifest;
function thetaAt(i: number): Float32Array {
  const theta = new Float32Array(K);
  for (let j = 0; j < K; j++) theta[j] = i * 1000 + (j % 7);
  return theta;
}

async function iteratesOf(dir: string, first: number, last: number) {
  const seen: number[] = [];
  for await (const it of readIterates(dir, manifest, first, last)) {
    for (const j of [0, 1, 6, K - 1]) assert.equal(it.theta[j], it.iteration * 1000 + (j % 7));
    seen.push(it.iteration);
  }
  return seen;
}

test('readIterates starting late jumps to the batch holding θ_first', async () => {
  const dir = path.join(tmp, 'ours');
  fs.mkdirSync(dir);
  assert.equal(rowsPerBatch(weightsLayout(variables)), 3);
  const writer = createWeightsWriter(dir, variables);
  for (let i = 0; i <= T; i++) await writer.append({ iteration: i, minibatch_loss: i }, thetaAt(i));
  await writer.close();
  assert.deepEqual(await iteratesOf(dir, 7, 9), [7, 8, 9]);
  assert.deepEqual(await iteratesOf(dir, 3, 4), [3, 4]);
  assert.deepEqual(await iteratesOf(dir, 0, 1), [0, 1]);
  assert.deepEqual(await iteratesOf(dir, 9, 9), [9]);
});

test('readIterates reads a file batched otherwise from the start', async () => {
  const dir = path.join(tmp, 'other');
  fs.mkdirSync(dir);
  const item = new arrow.Field('item', new arrow.Float32(), false);
  const schema = new arrow.Schema([
    new arrow.Field('iteration', new arrow.Int32(), false),
    new arrow.Field('minibatch_loss', new arrow.Float32(), false),
    new arrow.Field('w', new arrow.FixedSizeList(K, item), false),
  ]);
  const batch = (from: number, n: number) => {
    const w = new Float32Array(n * K);
    for (let r = 0; r < n; r++) w.set(thetaAt(from + r), r * K);
    const children = [
      arrow.makeData({ type: new arrow.Int32(), length: n, data: Int32Array.from({ length: n }, (_, r) => from + r) }),
      arrow.makeData({ type: new arrow.Float32(), length: n, data: new Float32Array(n) }),
      arrow.makeData({ type: schema.fields[2].type as arrow.FixedSizeList<arrow.Float32>, length: n, child: arrow.makeData({ type: new arrow.Float32(), length: n * K, data: w }) }),
    ];
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children }));
  };
  // Batches of 4, 4 and 2 rows: the jump for θ_7 lands on batch 2, which starts at θ_8.
  fs.writeFileSync(path.join(dir, 'weights.arrow'), arrow.tableToIPC(new arrow.Table([batch(0, 4), batch(4, 4), batch(8, 2)]), 'file'));
  assert.deepEqual(await iteratesOf(dir, 7, 9), [7, 8, 9]);
  assert.deepEqual(await iteratesOf(dir, 5, 6), [5, 6]);
});

test('temporaries are invisible to readers and removed only when their process is gone', async () => {
  const dir = path.join(tmp, 'lca', 'adaptive');
  const layout = lcaLayout([{ name: 'v', shape: [3], offset: 0, size: 3 }], false);
  const done = createPartWriter(dir, 0, 1, layout, {});
  for (const t of [0, 1]) await done.append({ iteration: t, loss: 1, next_loss: 1, delta_loss: 0, lca_sum: 0, error: 0, splits: 2 }, [0, 0, 0]);
  await done.commit();
  const inProgress = createPartWriter(dir, 2, 3, layout, {}); // ours, alive
  await inProgress.append({ iteration: 2, loss: 1, next_loss: 1, delta_loss: 0, lca_sum: 0, error: 0, splits: 2 }, [0, 0, 0]);
  const ours = path.join(dir, temporaryName('part-000002-000003.arrow'));
  while (!fs.existsSync(ours)) await new Promise((resolve) => setTimeout(resolve, 5)); // the stream opens its file asynchronously
  const dead = ours.replace(`.${process.pid}.tmp`, '.999999999.tmp');
  const elsewhere = path.join(dir, '.part-000004-000005.arrow.another-host.1.tmp');
  fs.writeFileSync(dead, 'half a part');
  fs.writeFileSync(elsewhere, 'someone else\'s half');
  assert.deepEqual(listParts(dir).map((p) => [p.first, p.last]), [[0, 1]], 'readers see complete parts only');
  assert.equal(listTemporaries(dir).length, 3);
  assert.deepEqual(removeStaleTemporaries(dir, (pid) => pid === process.pid), [dead]);
  assert.ok(fs.existsSync(ours) && fs.existsSync(elsewhere) && !fs.existsSync(dead));
  await inProgress.commit();
  assert.deepEqual(listParts(dir).map((p) => [p.first, p.last]), [[0, 1], [2, 3]]);
  assert.deepEqual(listTemporaries(dir).map((t) => t.host), ['another-host']);
});
