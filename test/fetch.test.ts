// `fetchDataset` against a local server: files land where the loaders look, digests are checked,
// and a mismatch, a 404, a broken or stalled transfer each fail naming the file or URL and leave nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ExistsError, InputError, LcaError, UsageError } from '../src/errors.js';
import { loadDataset } from '../src/data/dataset.js';
import { encodeIdx, readIdx } from '../src/data/idx.js';
import { fetchDataset, type FetchOptions } from '../src/jobs/fetch-data.js';
import { FETCH_DATASETS, SOURCES, checksumOverrides } from '../src/data/fetch/sources.js';
import { silentReporter, type Reporter } from '../src/jobs/reporter.js';
import { startServer, type Route } from './helpers/fetch-server.js';

const tmp = mkdtempSync(join(tmpdir(), 'lca-fetch-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let serial = 0;
const freshDir = () => join(tmp, `d${serial++}`, 'data');
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** Small but valid MNIST-format files: `count` images whose first pixel is the index, labels index % 10. */
function idxFiles(count: number): Record<string, Buffer> {
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < count; i++) images[i * 784] = i % 256;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 1 });
  return {
    'train-images-idx3-ubyte.gz': gz(encodeIdx([count, 28, 28], images)),
    'train-labels-idx1-ubyte.gz': gz(encodeIdx([count], labels)),
    't10k-images-idx3-ubyte.gz': gz(encodeIdx([2, 28, 28], new Uint8Array(2 * 784))),
    't10k-labels-idx1-ubyte.gz': gz(encodeIdx([2], new Uint8Array(2))),
  };
}
const FILES = idxFiles(3);
const CHECKSUMS = Object.fromEntries(Object.entries(FILES).map(([name, bytes]) => [name, md5(bytes)]));
const routesFor = (files: Record<string, Buffer>, prefix = '/mnist/') =>
  Object.fromEntries(Object.entries(files).map(([name, body]) => [`${prefix}${name}`, { body } as Route]));

const server = await startServer(routesFor(FILES));
after(() => server.close());
const mirror = `${server.base}mnist/`;
const options = (extra: Partial<FetchOptions>): FetchOptions => ({
  name: 'mnist', mirror, env: { HOME: join(tmp, 'home') }, reporter: silentReporter, checksums: CHECKSUMS, idleTimeoutMs: 5000, ...extra,
});

/** Nothing but `expected` in `dir` (or no dir at all): no partial file, no staging folder. */
function assertOnly(dir: string, expected: string[] = []): void {
  const found = existsSync(dir) ? readdirSync(dir).sort() : [];
  assert.deepEqual(found, [...expected].sort());
}

async function rejectsWith(promise: Promise<unknown>, kind: new (m: string) => Error, ...parts: string[]): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof kind, `expected ${kind.name}, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    for (const p of parts) assert.ok(err.message.includes(p), `'${err.message}' should include '${p}'`);
    return true;
  });
}

test('MNIST lands in the folder the loader reads by default, byte for byte', async () => {
  const home = join(tmp, 'home');
  const result = await fetchDataset(options({}));
  const dir = join(home, '.cache', 'lca', 'mnist');
  assert.equal(result.dir, dir);
  assert.equal(result.origin, 'default');
  assert.deepEqual(result.downloaded, Object.keys(FILES));
  assertOnly(dir, Object.keys(FILES));
  for (const [name, bytes] of Object.entries(FILES)) assert.ok(readFileSync(join(dir, name)).equals(bytes), name);
  assert.deepEqual(readIdx(join(dir, 'train-images-idx3-ubyte.gz')).dims, [3, 28, 28]);
  // The loader finds them there (and only refuses the 3-image stand-in for the paper's 60,000-image split).
  assert.throws(() => loadDataset('mnist', { env: { HOME: home }, projectRoot: '/nonexistent' }), (err: Error) =>
    err instanceof InputError && err.message.includes(join(dir, 'train-images-idx3-ubyte.gz')) && err.message.includes('holds 3 images'));
});

test('a complete dataset is checked, not downloaded again; --force downloads it again', async () => {
  const dir = freshDir();
  await fetchDataset(options({ dir }));
  const before = server.requests.length;
  const again = await fetchDataset(options({ dir }));
  assert.equal(server.requests.length, before, 'no request for files that are present and check out');
  assert.deepEqual(again.downloaded, []);
  assert.deepEqual(again.kept, Object.keys(FILES));
  const forced = await fetchDataset(options({ dir, force: true }));
  assert.equal(server.requests.length, before + 4);
  assert.deepEqual(forced.downloaded, Object.keys(FILES));
  assertOnly(dir, Object.keys(FILES));
});

test('only the missing files are downloaded', async () => {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), FILES['train-labels-idx1-ubyte.gz']);
  const before = server.requests.length;
  const result = await fetchDataset(options({ dir }));
  assert.deepEqual(result.kept, ['train-labels-idx1-ubyte.gz']);
  assert.equal(result.downloaded.length, 3);
  assert.equal(server.requests.length, before + 3);
  assertOnly(dir, Object.keys(FILES));
});

test('a checksum mismatch names the file and both digests, and installs nothing', async () => {
  const dir = freshDir();
  const wrong = { ...CHECKSUMS, 't10k-labels-idx1-ubyte.gz': '0'.repeat(32) };
  await rejectsWith(fetchDataset(options({ dir, checksums: wrong })), InputError,
    't10k-labels-idx1-ubyte.gz', `${mirror}t10k-labels-idx1-ubyte.gz`, `expected ${'0'.repeat(32)}`, `got ${CHECKSUMS['t10k-labels-idx1-ubyte.gz']}`, 'md5');
  assert.ok(!existsSync(join(dir, '..', 'data')), 'the folder it created is gone again');
  // sha256 works the same way, chosen by the digest's length.
  const sha = { ...CHECKSUMS, 'train-images-idx3-ubyte.gz': 'a'.repeat(64) };
  await rejectsWith(fetchDataset(options({ dir, checksums: sha })), InputError, 'sha256 mismatch', `expected ${'a'.repeat(64)}`);
  assertOnly(dir);
});

test('HTTP 404 names the URL; a redirect is followed', async () => {
  const dir = freshDir();
  await rejectsWith(fetchDataset(options({ dir, mirror: `${server.base}nowhere/` })), LcaError, `${server.base}nowhere/train-images-idx3-ubyte.gz`, 'HTTP 404');
  assertOnly(dir);
  for (const name of Object.keys(FILES)) server.routes.set(`/moved/${name}`, { redirect: `/mnist/${name}` });
  const moved = await fetchDataset(options({ dir, mirror: `${server.base}moved` })); // no trailing slash: still a folder
  assert.equal(moved.downloaded.length, 4);
  assertOnly(dir, Object.keys(FILES));
});

test('a transfer that breaks off or stalls leaves no partial file', async () => {
  const body = Buffer.alloc(5000, 7); // the small fixtures are shorter than the cut
  const cases: [string, Route, string][] = [
    ['cut', { body, cut: 100 }, 'after 100 bytes'],
    ['chunked', { body, cut: 100, chunked: true }, 'after 100 bytes'],
    ['stall', { stall: true }, 'no data for 0.3 s'],
  ];
  for (const [prefix, route, message] of cases) {
    server.routes.set(`/${prefix}/train-images-idx3-ubyte.gz`, route);
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    await rejectsWith(fetchDataset(options({ dir, mirror: `${server.base}${prefix}/`, idleTimeoutMs: 300 })), LcaError,
      `${server.base}${prefix}/train-images-idx3-ubyte.gz`, message);
    assertOnly(dir);
  }
});

test('a file with the right name and the wrong content is not replaced without --force', async () => {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), 'not mnist');
  await rejectsWith(fetchDataset(options({ dir })), ExistsError, join(dir, 'train-images-idx3-ubyte.gz'), `its md5 is ${md5(Buffer.from('not mnist'))}`, '--force');
  assert.equal(readFileSync(join(dir, 'train-images-idx3-ubyte.gz'), 'utf8'), 'not mnist');
  await fetchDataset(options({ dir, force: true }));
  assert.ok(readFileSync(join(dir, 'train-images-idx3-ubyte.gz')).equals(FILES['train-images-idx3-ubyte.gz']));
});

test('--dir wins over LCA_DATA_DIR, which wins over the default, as for the loaders', async () => {
  const viaEnv = freshDir();
  const result = await fetchDataset(options({ env: { HOME: join(tmp, 'home'), LCA_DATA_DIR: viaEnv } }));
  assert.equal(result.origin, 'LCA_DATA_DIR');
  assertOnly(viaEnv, Object.keys(FILES));
  const viaDir = freshDir();
  assert.equal((await fetchDataset(options({ dir: viaDir, env: { LCA_DATA_DIR: viaEnv } }))).dir, viaDir);
});

test('a staging folder left by a dead process is removed; a live one is left alone', async () => {
  const dir = freshDir();
  const { hostname } = await import('node:os');
  const host = hostname().replace(/[^A-Za-z0-9-]/g, '_') || 'localhost';
  const dead = `.lca-fetch.${host}.999999999.tmp`;
  const live = `.lca-fetch.${host}.${process.ppid}.tmp`;
  for (const name of [dead, live]) mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, dead, 'train-images-idx3-ubyte.gz'), 'partial');
  await fetchDataset(options({ dir }));
  assertOnly(dir, [...Object.keys(FILES), live]);
});

test('a full-size download loads: 60,000 images, the paper split', async () => {
  const full = idxFiles(60000); // 47 MB of pixels, but nearly all zero: a few hundred KB gzipped
  for (const [name, body] of Object.entries(full)) server.routes.set(`/full/${name}`, { body });
  const dir = freshDir();
  const checksums = Object.fromEntries(Object.entries(full).map(([name, bytes]) => [name, md5(bytes)]));
  await fetchDataset(options({ dir, mirror: `${server.base}full/`, checksums }));
  const data = loadDataset('mnist', { dataDir: dir, projectRoot: '/nonexistent' });
  assert.equal(data.train.count, 55000);
  assert.equal(data.val.count, 5000);
  assert.equal(data.source, dir);
});

test('a recording reporter sees one progress line per file and a log line per download', async () => {
  const seen: string[] = [];
  const reporter: Reporter = {
    ...silentReporter,
    info: (m) => seen.push(`info ${m}`),
    progress: (label, unit) => {
      seen.push(`progress ${label} (${unit})`);
      return { update() {}, pulse() {}, stop: () => seen.push('stop') };
    },
  };
  await fetchDataset(options({ dir: freshDir(), reporter }));
  assert.deepEqual(seen.slice(0, 3), ['progress downloading train-images-idx3-ubyte.gz (MiB)', 'stop', 'info downloaded train-images-idx3-ubyte.gz']);
  assert.equal(seen.length, 12);
});

test('the published table: an md5 per file, the names the loaders read, https first', () => {
  for (const name of FETCH_DATASETS) {
    const source = SOURCES[name];
    for (const file of source.files) assert.match(file.digest, /^[0-9a-f]{32}$/, `${name} ${file.name}`);
    assert.match(source.mirrors[0], /^https:\/\/.+\/$/);
  }
  assert.deepEqual(SOURCES.mnist.files.map((f) => f.name), Object.keys(FILES));
  assert.equal(SOURCES.cifar10.files[0].digest, 'c32a1d4ab5d03f1284b67883e8d87530');
});

test('LCA_FETCH_CHECKSUMS: a JSON object of digests, else a UsageError naming the file; a bad --mirror is a UsageError', async () => {
  const file = join(tmp, 'sums.json');
  writeFileSync(file, JSON.stringify(CHECKSUMS));
  assert.deepEqual(checksumOverrides({ LCA_FETCH_CHECKSUMS: file }), CHECKSUMS);
  assert.deepEqual(checksumOverrides({}), {});
  writeFileSync(file, '["not", "an object"]');
  assert.throws(() => checksumOverrides({ LCA_FETCH_CHECKSUMS: file }), (err: Error) => err instanceof UsageError && err.message.includes(file));
  await rejectsWith(fetchDataset(options({ dir: freshDir(), checksums: { 'train-images-idx3-ubyte.gz': 'xyz' } })), UsageError, "'xyz'");
  await rejectsWith(fetchDataset(options({ dir: freshDir(), mirror: 'ftp://example/' })), UsageError, '--mirror ftp://example/', 'http');
});

test('a copy gzipped again, or gunzipped, counts as present when its content has the published digest', async () => {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  const raw = encodeIdx([3], Uint8Array.of(1, 2, 3));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(raw, { level: 9 })); // not the served bytes
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), raw);
  const checksums = { ...CHECKSUMS, 'train-labels-idx1-ubyte': md5(raw), 't10k-labels-idx1-ubyte': md5(raw) };
  const result = await fetchDataset(options({ dir, checksums }));
  assert.deepEqual(result.kept.sort(), ['t10k-labels-idx1-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
  assert.deepEqual(result.downloaded.sort(), ['t10k-images-idx3-ubyte.gz', 'train-images-idx3-ubyte.gz']);
});

const DEBIAN = '/usr/share/datasets/fashion-mnist';
test("Debian's dataset-fashion-mnist (gzipped again) checks out against the published content md5s", { skip: !existsSync(join(DEBIAN, 'train-images-idx3-ubyte.gz')) && 'not installed' }, async () => {
  const before = server.requests.length;
  const result = await fetchDataset({ name: 'fashion-mnist', env: {}, reporter: silentReporter, mirror: `${server.base}never/` });
  assert.equal(result.dir, DEBIAN);
  assert.equal(result.kept.length, 4);
  assert.equal(server.requests.length, before);
});

test('a mirror that fails is followed by the next, with a warning', async () => {
  const mirrors = SOURCES.mnist.mirrors;
  const warnings: string[] = [];
  try {
    (SOURCES.mnist as { mirrors: readonly string[] }).mirrors = [`${server.base}gone/`, mirror];
    const result = await fetchDataset(options({ dir: freshDir(), mirror: undefined, reporter: { ...silentReporter, warn: (m) => warnings.push(m) } }));
    assert.equal(result.downloaded.length, 4);
  } finally {
    (SOURCES.mnist as { mirrors: readonly string[] }).mirrors = mirrors;
  }
  assert.equal(warnings.length, 4);
  assert.match(warnings[0], /gone\/train-images-idx3-ubyte.gz: HTTP 404 Not Found; trying the next mirror$/);
});
