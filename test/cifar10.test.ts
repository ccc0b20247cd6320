// CIFAR-10 binary batches: planar records to NHWC, the paper's 45,000/5,000 split, where files are
// looked for, and an InputError naming the file for every way the data can be wrong.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../src/errors.js';
import { CIFAR_FILES, RECORD_BYTES, RECORDS_PER_FILE, decodeCifarRecords, resolveCifarDir } from '../src/data/cifar10.js';
import { loadDataset } from '../src/data/dataset.js';
import { paperSplit } from '../src/data/split.js';

const tmp = mkdtempSync(join(tmpdir(), 'lca-cifar-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const projectRoot = '/nonexistent';

/** Records whose pixel bytes encode (image index, channel, position) and whose label is index % 10. */
function records(first: number, count: number): Uint8Array {
  const bytes = new Uint8Array(count * RECORD_BYTES);
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const at = k * RECORD_BYTES;
    bytes[at] = i % 10;
    for (let c = 0; c < 3; c++) {
      bytes.fill(10 + c, at + 1 + c * 1024, at + 1 + (c + 1) * 1024); // every pixel of plane c: 10 + c
      bytes[at + 1 + c * 1024] = i & 0xff; // pixel (0, 0) of each plane: the index, low byte
      bytes[at + 1 + c * 1024 + 1] = i >> 8; // pixel (0, 1): the high byte
    }
    bytes[at + 1 + 2 * 1024 + 33] = 200; // blue at row 1, column 1
  }
  return bytes;
}

function writeBatches(dir: string): void {
  mkdirSync(dir, { recursive: true });
  CIFAR_FILES.forEach((file, f) => writeFileSync(join(dir, file), records(f * RECORDS_PER_FILE, RECORDS_PER_FILE)));
}

function assertInputError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    for (const p of parts) assert.ok(err.message.includes(p), `'${err.message}' should include '${p}'`);
    return true;
  });
}

test('a record becomes an NHWC image: the R, G, B planes interleaved per pixel', () => {
  const set = decodeCifarRecords(records(258, 2), 'x.bin');
  assert.equal(set.count, 2);
  assert.deepEqual(Array.from(set.labels), [8, 9]);
  const pixel = (i: number, y: number, x: number) => Array.from(set.images.subarray(i * 3072 + (y * 32 + x) * 3, i * 3072 + (y * 32 + x) * 3 + 3));
  assert.deepEqual(pixel(0, 0, 0), [2, 2, 2]); // 258 & 0xff
  assert.deepEqual(pixel(0, 0, 1), [1, 1, 1]); // 258 >> 8
  assert.deepEqual(pixel(0, 1, 1), [10, 11, 200]);
  assert.deepEqual(pixel(1, 31, 31), [10, 11, 12]);
});

test('data_batch_1..5 give the paper split: 45,000 train in order, 5,000 val in numpy choice order', () => {
  const dir = join(tmp, 'full');
  writeBatches(dir);
  const ds = loadDataset('cifar10', { dataDir: dir, env: {}, projectRoot });
  assert.equal(ds.name, 'cifar10');
  assert.equal(ds.synthetic, undefined);
  assert.deepEqual(ds.imageShape, [32, 32, 3]);
  assert.equal(ds.train.count, 45000);
  assert.equal(ds.val.count, 5000);
  assert.equal(ds.train.images.length, 45000 * 3072);
  const indexOf = (images: Float32Array, k: number) => Math.round(images[k * 3072] * 255) + 256 * Math.round(images[k * 3072 + 3] * 255);
  const { trainIndices, valIndices } = paperSplit(50000);
  for (const k of [0, 1, 2500, 4999]) {
    assert.equal(indexOf(ds.val.images, k), valIndices[k]);
    assert.equal(ds.val.labels[k], valIndices[k] % 10);
  }
  for (const k of [0, 9999, 10000, 44999]) assert.equal(indexOf(ds.train.images, k), trainIndices[k]);
  assert.equal(ds.train.images[(32 + 1) * 3 + 2], Math.fround(200 / 255));
  assert.match(ds.fingerprint, /^[0-9a-f]{64}$/);
});

test('the files may sit in the archive folder cifar-10-batches-bin/', () => {
  // One file is enough to show where the loader looks: it then asks for the second one there.
  const dir = join(tmp, 'archive');
  const inner = join(dir, 'cifar-10-batches-bin');
  mkdirSync(inner, { recursive: true });
  writeFileSync(join(inner, 'data_batch_1.bin'), records(0, RECORDS_PER_FILE));
  assertInputError(() => loadDataset('cifar10', { env: { LCA_DATA_DIR: dir }, projectRoot }), `${join(inner, 'data_batch_2.bin')} not found`);
});

test('where the files are looked for: data_dir, then LCA_DATA_DIR, then ~/.cache/lca/cifar10', () => {
  assert.deepEqual(resolveCifarDir('/flag', { LCA_DATA_DIR: '/env' }), { dir: '/flag', origin: 'data_dir' });
  assert.deepEqual(resolveCifarDir(undefined, { LCA_DATA_DIR: '/env' }), { dir: '/env', origin: 'LCA_DATA_DIR' });
  assert.deepEqual(resolveCifarDir(undefined, { HOME: '/home/u' }), { dir: '/home/u/.cache/lca/cifar10', origin: 'default' });
});

test('missing data: the message names the folder and how to get the files', () => {
  const home = join(tmp, 'home');
  const cache = join(home, '.cache', 'lca', 'cifar10');
  assertInputError(() => loadDataset('cifar10', { env: { HOME: home }, projectRoot }),
    `cifar10: data_batch_1.bin not found in ${cache} or its cifar-10-batches-bin/`,
    'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', `tar -xz -C ${cache}`, 'LCA_DATA_DIR');
  const partial = join(tmp, 'partial');
  mkdirSync(partial);
  writeFileSync(join(partial, 'data_batch_1.bin'), records(0, RECORDS_PER_FILE));
  assertInputError(() => loadDataset('cifar10', { dataDir: partial, env: {}, projectRoot }), `${join(partial, 'data_batch_2.bin')} not found`);
});

test('a batch of the wrong size or with a bad label is refused, naming the file', () => {
  const short = join(tmp, 'short');
  mkdirSync(short);
  writeFileSync(join(short, 'data_batch_1.bin'), records(0, 10));
  assertInputError(() => loadDataset('cifar10', { dataDir: short, env: {}, projectRoot }),
    `${join(short, 'data_batch_1.bin')}: 30730 bytes, expected 30730000`);
  const bad = records(0, 2);
  bad[RECORD_BYTES] = 10;
  assertInputError(() => decodeCifarRecords(bad, 'b.bin'), 'b.bin: label 10 of record 1');
  assertInputError(() => decodeCifarRecords(bad.subarray(1), 'c.bin'), 'c.bin: 6145 bytes is not a whole number');
});
