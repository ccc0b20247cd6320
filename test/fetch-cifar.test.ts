// `fetchDataset('cifar10')` against a local server: the archive is checked, extracted, recorded in a
// SHA256SUMS and installed where the CIFAR-10 loader looks; a bad or incomplete archive installs nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExistsError, InputError } from '../src/errors.js';
import { loadDataset } from '../src/data/dataset.js';
import { fetchDataset, type FetchOptions } from '../src/jobs/fetch-data.js';
import { silentReporter, type Reporter } from '../src/jobs/reporter.js';
import { startServer } from './helpers/fetch-server.js';

const hasTar = spawnSync('tar', ['--version']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'lca-fetch-cifar-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const TARBALL = 'cifar-10-binary.tar.gz';
const FOLDER = 'cifar-10-batches-bin';
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The archive's layout with two-record batches (the loader's sizes are tested in cifar10.test.ts). */
const MEMBERS: Record<string, Buffer> = {
  ...Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`data_batch_${i}.bin`, Buffer.alloc(2 * 3073, i)])),
  'test_batch.bin': Buffer.alloc(2 * 3073, 9),
  'batches.meta.txt': Buffer.from('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n'),
  'readme.html': Buffer.from('<html></html>'),
};

function tarball(omit: string[] = []): Buffer {
  const src = mkdtempSync(join(tmp, 'src-'));
  mkdirSync(join(src, FOLDER));
  for (const [name, bytes] of Object.entries(MEMBERS)) if (!omit.includes(name)) writeFileSync(join(src, FOLDER, name), bytes);
  const archive = join(src, TARBALL);
  assert.equal(spawnSync('tar', ['-czf', archive, '-C', src, FOLDER]).status, 0);
  return readFileSync(archive);
}

const server = await startServer();
after(() => server.close());
let serial = 0;
const freshDir = () => join(tmp, `d${serial++}`);
const GOOD = hasTar ? tarball() : Buffer.alloc(0);
server.routes.set(`/good/${TARBALL}`, { body: GOOD });
const options = (extra: Partial<FetchOptions>): FetchOptions => ({
  name: 'cifar10', mirror: `${server.base}good/`, env: { HOME: join(tmp, 'home') }, reporter: silentReporter,
  checksums: { [TARBALL]: md5(GOOD) }, ...extra,
});
const skip = !hasTar && 'no tar to make the fixture archive';

test('CIFAR-10 is extracted into cifar-10-batches-bin/ where the loader looks, with a SHA256SUMS; the archive is not kept', { skip }, async () => {
  const home = join(tmp, 'home');
  const result = await fetchDataset(options({}));
  const dir = join(home, '.cache', 'lca', 'cifar10');
  assert.equal(result.dir, dir);
  assert.deepEqual(result.downloaded, [FOLDER]);
  assert.deepEqual(readdirSync(dir), [FOLDER]);
  const folder = join(dir, FOLDER);
  assert.deepEqual(readdirSync(folder).sort(), [...Object.keys(MEMBERS), 'SHA256SUMS'].sort());
  for (const [name, bytes] of Object.entries(MEMBERS)) assert.ok(readFileSync(join(folder, name)).equals(bytes), name);
  const sums = readFileSync(join(folder, 'SHA256SUMS'), 'utf8');
  assert.ok(sums.includes(`${sha256(MEMBERS['data_batch_3.bin'])}  data_batch_3.bin\n`));
  // The loader finds the batches there (and only refuses their two-record size).
  assert.throws(() => loadDataset('cifar10', { env: { HOME: home }, projectRoot: '/nonexistent' }), (err: Error) =>
    err instanceof InputError && err.message.includes(join(folder, 'data_batch_1.bin')));
});

test('an extracted folder is checked against its SHA256SUMS: kept when it matches, refused when not, replaced with --force', { skip }, async () => {
  const dir = freshDir();
  await fetchDataset(options({ dir }));
  const before = server.requests.length;
  assert.deepEqual((await fetchDataset(options({ dir }))).kept, [FOLDER]);
  assert.equal(server.requests.length, before);
  const batch = join(dir, FOLDER, 'data_batch_2.bin');
  writeFileSync(batch, 'tampered');
  await assert.rejects(fetchDataset(options({ dir })), (err: unknown) =>
    err instanceof ExistsError && err.message.includes('data_batch_2.bin: sha256') && err.message.includes('--force'));
  await fetchDataset(options({ dir, force: true }));
  assert.ok(readFileSync(batch).equals(MEMBERS['data_batch_2.bin']));
  assert.deepEqual(readdirSync(dir), [FOLDER], 'the replaced folder and the staging folder are gone');
});

test('files extracted by hand (no SHA256SUMS) are kept with a warning', { skip }, async () => {
  const dir = freshDir();
  mkdirSync(join(dir, FOLDER), { recursive: true });
  for (const [name, bytes] of Object.entries(MEMBERS)) writeFileSync(join(dir, FOLDER, name), bytes);
  const warnings: string[] = [];
  const reporter: Reporter = { ...silentReporter, warn: (m) => warnings.push(m) };
  const before = server.requests.length;
  assert.deepEqual((await fetchDataset(options({ dir, reporter }))).downloaded, []);
  assert.equal(server.requests.length, before);
  assert.match(warnings.join('\n'), /no SHA256SUMS .* not checked; --force downloads them again/);
});

test('an archive with the wrong md5 or without a batch installs nothing', { skip }, async () => {
  const dir = freshDir();
  await assert.rejects(fetchDataset(options({ dir, checksums: { [TARBALL]: 'f'.repeat(32) } })), (err: unknown) =>
    err instanceof InputError && err.message.includes(`${TARBALL} from ${server.base}good/${TARBALL}: md5 mismatch: expected ${'f'.repeat(32)}, got ${md5(GOOD)}`));
  assert.ok(!existsSync(dir));
  const partial = tarball(['data_batch_5.bin']);
  server.routes.set(`/partial/${TARBALL}`, { body: partial });
  mkdirSync(dir);
  await assert.rejects(fetchDataset(options({ dir, mirror: `${server.base}partial/`, checksums: { [TARBALL]: md5(partial) } })), (err: unknown) =>
    err instanceof InputError && err.message === `cifar10: ${TARBALL} lacks ${FOLDER}/data_batch_5.bin`);
  assert.deepEqual(readdirSync(dir), []);
});
