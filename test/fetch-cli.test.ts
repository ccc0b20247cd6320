// `lca data fetch` through the real binary against a local server: exit codes 0 / 1 / 2, nothing on
// stdout, one-line errors naming the file or URL, and no file left behind by a failure.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../src/data/idx.js';
import { lcaAsync, startServer, type Route } from './helpers/fetch-server.js';

const tmp = mkdtempSync(join(tmpdir(), 'lca-fetch-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const FILES = Object.fromEntries(NAMES.map((name, i) => [name, gzipSync(encodeIdx(i % 2 === 0 ? [2, 28, 28] : [2], new Uint8Array(i % 2 === 0 ? 2 * 784 : 2).fill(i)))]));
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const sums = join(tmp, 'sums.json');
writeFileSync(sums, JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, md5(FILES[n])]))));

const server = await startServer(Object.fromEntries(NAMES.map((n) => [`/fashion/${n}`, { body: FILES[n] } as Route])));
after(() => server.close());
const env = { LCA_FETCH_CHECKSUMS: sums, HOME: join(tmp, 'home') };
const fetchArgs = (dir: string, mirror = `${server.base}fashion/`) => ['data', 'fetch', 'fashion-mnist', '--dir', dir, '--mirror', mirror];

test('help names the command and its options', async () => {
  assert.match((await lcaAsync(['--help'])).stdout, /^ {2}data /m);
  const help = await lcaAsync(['data', 'fetch', '--help']);
  assert.equal(help.code, 0);
  for (const text of ['--dir', '--mirror', '--force', 'mnist', 'fashion-mnist', 'cifar10', 'LCA_DATA_DIR', 'md5']) assert.ok(help.stdout.includes(text), text);
});

test('fetch writes the files, logs JSON lines on stderr and nothing on stdout; a second run downloads nothing', async () => {
  const dir = join(tmp, 'ok');
  const result = await lcaAsync(fetchArgs(dir), env);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.doesNotMatch(result.stderr, /\x1b\[/);
  const lines = result.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
  assert.equal(lines.filter((l) => l.msg.startsWith('downloaded ')).length, 4);
  assert.match(lines.at(-1)!.msg, new RegExp(`fashion-mnist in ${dir}: downloaded .*; train with --data-dir ${dir}`));
  assert.deepEqual(readdirSync(dir).sort(), [...NAMES].sort());
  const again = await lcaAsync(fetchArgs(dir), env);
  assert.equal(again.code, 0);
  assert.match(again.stderr, /already present and checked; nothing downloaded/);
});

test('a checksum mismatch exits 1 with one line naming the file and both digests, and leaves no file', async () => {
  const bad = join(tmp, 'bad.json');
  writeFileSync(bad, JSON.stringify({ 'train-images-idx3-ubyte.gz': '0'.repeat(32) }));
  const dir = join(tmp, 'mismatch');
  const result = await lcaAsync(fetchArgs(dir), { ...env, LCA_FETCH_CHECKSUMS: bad });
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim().split('\n').at(-1),
    `lca: fashion-mnist: train-images-idx3-ubyte.gz from ${server.base}fashion/train-images-idx3-ubyte.gz: md5 mismatch: expected ${'0'.repeat(32)}, got ${md5(FILES['train-images-idx3-ubyte.gz'])}`);
  assert.ok(!existsSync(dir));
});

test('a 404 exits 1 naming the URL; a bad --mirror exits 2', async () => {
  const dir = join(tmp, 'missing');
  const result = await lcaAsync(fetchArgs(dir, `${server.base}nothing-here/`), env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim(), `lca: fashion-mnist: ${server.base}nothing-here/train-images-idx3-ubyte.gz: HTTP 404 Not Found`);
  assert.ok(!existsSync(dir));
  const usage = await lcaAsync(fetchArgs(dir, 'ftp://127.0.0.1/'), env);
  assert.equal(usage.code, 2);
  assert.equal(usage.stderr.trim(), 'lca: --mirror ftp://127.0.0.1/: only http and https are supported');
  assert.equal((await lcaAsync(['data', 'fetch', 'imagenet'], env)).code, 2);
});
