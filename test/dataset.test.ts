// Checks dataset loading: the paper split on a generated 60,000-image file, every InputError, the fixture.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError } from '../src/errors.js';
import { loadDataset } from '../src/data/dataset.js';
import { type DatasetName, type ImageSet } from '../src/data/types.js';
import { writeIdx } from '../src/data/idx.js';
import { resolveDataDir } from '../src/data/mnist.js';
import { paperSplit } from '../src/data/split.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'lca-dataset-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const noEnv: NodeJS.ProcessEnv = {};

/** Writes N images whose first two pixels encode the image's index, labels index % 10. */
function writeSet(dir: string, count: number, opts: { labels?: number; size?: number; gzip?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true });
  const size = opts.size ?? 28;
  const images = new Uint8Array(count * size * size);
  for (let i = 0; i < count; i++) {
    images[i * size * size] = i & 0xff;
    images[i * size * size + 1] = i >> 8;
    images[i * size * size + 2] = 255;
  }
  const labelCount = opts.labels ?? count;
  const labels = Uint8Array.from({ length: labelCount }, (_, i) => i % 10);
  const gz = opts.gzip === true ? '.gz' : '';
  writeIdx(join(dir, `train-images-idx3-ubyte${gz}`), [count, size, size], images, { gzip: opts.gzip });
  // Labels always gzipped: the loader must accept mixed compression.
  writeIdx(join(dir, 'train-labels-idx1-ubyte.gz'), [labelCount], labels, { gzip: true });
}

function indexOf(set: ImageSet, k: number): number {
  const at = k * 28 * 28;
  return Math.round(set.images[at] * 255) + 256 * Math.round(set.images[at + 1] * 255);
}

function assertInputError(fn: () => unknown, ...patterns: (RegExp | string)[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    for (const p of patterns) {
      if (typeof p === 'string') assert.ok(err.message.includes(p), `'${err.message}' should include '${p}'`);
      else assert.match(err.message, p);
    }
    return true;
  });
}

test('a 60,000-image training file gets the paper split, in numpy choice order', () => {
  const dir = join(tmp, 'full');
  writeSet(dir, 60000);
  const ds = loadDataset('mnist', { dataDir: dir, env: noEnv, projectRoot });
  assert.equal(ds.name, 'mnist');
  assert.deepEqual(ds.imageShape, [28, 28, 1]);
  assert.equal(ds.numClasses, 10);
  assert.equal(ds.source, dir);
  assert.equal(ds.train.count, 55000);
  assert.equal(ds.val.count, 5000);
  assert.equal(ds.train.images.length, 55000 * 784);
  assert.equal(ds.val.labels.length, 5000);
  const { trainIndices, valIndices } = paperSplit(60000);
  for (const k of [0, 1, 17, 4999]) {
    assert.equal(indexOf(ds.val, k), valIndices[k]);
    assert.equal(ds.val.labels[k], valIndices[k] % 10);
  }
  for (const k of [0, 16, 17, 54999]) assert.equal(indexOf(ds.train, k), trainIndices[k]);
  assert.equal(indexOf(ds.val, 0), 3048); // fixtures/validation-split.json, first MNIST index
  assert.equal(ds.train.images[2], 1); // 255 / 255
  assert.equal(ds.train.images[3], 0);
  assert.match(ds.fingerprint, /^[0-9a-f]{64}$/);
});

test('data directory precedence: data_dir, then LCA_DATA_DIR, then the default', () => {
  const env = { LCA_DATA_DIR: '/env/dir', HOME: '/home/u' };
  assert.deepEqual(resolveDataDir('mnist', '/flag', env), { dir: '/flag', origin: 'data_dir' });
  assert.deepEqual(resolveDataDir('mnist', undefined, env), { dir: '/env/dir', origin: 'LCA_DATA_DIR' });
  assert.deepEqual(resolveDataDir('mnist', undefined, { HOME: '/home/u' }), { dir: '/home/u/.cache/lca/mnist', origin: 'default' });
  assert.deepEqual(resolveDataDir('fashion-mnist', undefined, { LCA_DATA_DIR: '' }), { dir: '/usr/share/datasets/fashion-mnist', origin: 'default' });
});

test('missing files: the message says where it looked and how to get the data', () => {
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  assertInputError(() => loadDataset('fashion-mnist', { dataDir: empty, env: noEnv, projectRoot }),
    `fashion-mnist: train-images-idx3-ubyte[.gz] not found in ${empty} (from --data-dir / data_dir;`);
  assertInputError(() => loadDataset('fashion-mnist', { env: { LCA_DATA_DIR: empty }, projectRoot }),
    `not found in ${empty} (from LCA_DATA_DIR;`);
  const home = join(tmp, 'home');
  assertInputError(() => loadDataset('mnist', { env: { HOME: home }, projectRoot }),
    `mnist: train-images-idx3-ubyte[.gz] not found in ${join(home, '.cache', 'lca', 'mnist')} (download`,
    'train-labels-idx1-ubyte.gz', 'into that folder', 'LCA_DATA_DIR');
  // Only the labels missing: the message names the labels file.
  const half = join(tmp, 'half');
  mkdirSync(half);
  writeIdx(join(half, 'train-images-idx3-ubyte.gz'), [1, 28, 28], new Uint8Array(784), { gzip: true });
  assertInputError(() => loadDataset('mnist', { dataDir: half, env: noEnv, projectRoot }), 'train-labels-idx1-ubyte[.gz] not found');
});

test('a training file without 60,000 images is refused', () => {
  const dir = join(tmp, 'small');
  writeSet(dir, 100, { gzip: true });
  assertInputError(() => loadDataset('fashion-mnist', { dataDir: dir, env: noEnv, projectRoot }),
    join(dir, 'train-images-idx3-ubyte.gz'), 'holds 100 images', '60000');
});

test('image and label counts must match', () => {
  const dir = join(tmp, 'mismatch');
  writeSet(dir, 100, { labels: 99 });
  assertInputError(() => loadDataset('mnist', { dataDir: dir, env: noEnv, projectRoot }),
    `${join(dir, 'train-images-idx3-ubyte')} holds 100 images but ${join(dir, 'train-labels-idx1-ubyte.gz')} holds 99 labels`);
});

test('images of the wrong size are refused', () => {
  const dir = join(tmp, 'size');
  writeSet(dir, 10, { size: 32 });
  assertInputError(() => loadDataset('mnist', { dataDir: dir, env: noEnv, projectRoot }), 'expected images of shape [N, 28, 28], found [10, 32, 32]');
});

test('labels outside the 10 classes are refused', () => {
  const dir = join(tmp, 'labels');
  mkdirSync(dir);
  writeIdx(join(dir, 'train-images-idx3-ubyte'), [2, 28, 28], new Uint8Array(2 * 784));
  writeIdx(join(dir, 'train-labels-idx1-ubyte'), [2], Uint8Array.of(3, 10));
  assertInputError(() => loadDataset('mnist', { dataDir: dir, env: noEnv, projectRoot }), 'label 10 at index 1');
});

test('the shipped fixture loads: 10,000 train, 1,000 val, pixels in [0, 1]', () => {
  const ds = loadDataset('fashion-mnist-fixture', { projectRoot, env: noEnv });
  assert.equal(ds.name, 'fashion-mnist-fixture');
  assert.equal(ds.train.count, 10000);
  assert.equal(ds.val.count, 1000);
  assert.equal(ds.train.images.length, 10000 * 784);
  let min = Infinity;
  let max = -Infinity;
  for (const v of ds.train.images) { if (v < min) min = v; if (v > max) max = v; }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // numpy over Debian's files: labels[RandomState(0).choice(60000, 5000, replace=False)[:10]]
  assert.deepEqual(Array.from(ds.val.labels.subarray(0, 10)), [0, 2, 6, 5, 2, 2, 2, 9, 5, 5]);
  // numpy: sha256 of images[train[:10000]], labels[train[:10000]], images[val[:1000]], labels[val[:1000]]
  assert.equal(ds.fingerprint, '950dd7128efc243457411750e8c83654c0a8d566c969c90e9f61517015d0c891');
});

test('a missing fixture says how to regenerate it', () => {
  assertInputError(() => loadDataset('fashion-mnist-fixture', { projectRoot: tmp }), 'node dist/scripts/make-fixtures.js');
});

test('an unknown name is a usage error', () => {
  assert.throws(() => loadDataset('imagenet' as DatasetName, { projectRoot }), UsageError);
});

const debian = '/usr/share/datasets/fashion-mnist';
test('Debian Fashion-MNIST matches the split numpy computes', { skip: !existsSync(join(debian, 'train-images-idx3-ubyte.gz')) }, () => {
  const ds = loadDataset('fashion-mnist', { env: noEnv, projectRoot });
  assert.equal(ds.source, debian);
  assert.equal(ds.train.count, 55000);
  // numpy: sha256 over images[train], labels[train], images[val], labels[val] (uint8), split as in paperSplit.
  assert.equal(ds.fingerprint, '47697c8df31e2046f7c78fbd23da4e50e0b8d255c1fa8c84b07506eea7d49363');
});
