// The tar reader against archives GNU tar writes (ustar, gnu and pax formats, long names, folders,
// links), and against hand-made bad ones: paths leaving the folder, bad checksums, truncation, bad gzip.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../src/errors.js';
import { extractTar, extractTarGz } from '../src/data/fetch/tar.js';

const tmp = mkdtempSync(join(tmpdir(), 'lca-tar-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let serial = 0;
const fresh = () => join(tmp, `out${serial++}`);
const hasTar = spawnSync('tar', ['--version']).status === 0;

const LONG = `${'a-rather-long-folder-name/'.repeat(5)}file-with-a-long-name.bin`; // 150 characters: beyond ustar's 100
const CONTENT: Record<string, Buffer> = {
  'cifar-10-batches-bin/data_batch_1.bin': Buffer.from(Array.from({ length: 3073 * 2 }, (_, i) => i % 251)),
  'cifar-10-batches-bin/batches.meta.txt': Buffer.from('airplane\nautomobile\n'),
  'cifar-10-batches-bin/empty.txt': Buffer.alloc(0),
  'cifar-10-batches-bin/exactly-one-block.bin': Buffer.alloc(512, 9),
  [LONG]: Buffer.from('deep'),
};

function source(): string {
  const dir = fresh();
  for (const [name, bytes] of Object.entries(CONTENT)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  symlinkSync('/etc/passwd', join(dir, 'cifar-10-batches-bin', 'link'));
  return dir;
}

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]).sort();
}

for (const format of ['gnu', 'pax', 'ustar', 'oldgnu']) {
  test(`GNU tar --format=${format}: every regular file, byte for byte; links skipped`, { skip: !hasTar && 'no tar' }, async () => {
    const src = source();
    const archive = join(tmp, `${format}.tar.gz`);
    // ustar cannot hold the 150-character path without splitting it into prefix + name: that is tested too.
    const made = spawnSync('tar', [`--format=${format}`, '-czf', archive, '-C', src, 'cifar-10-batches-bin', 'a-rather-long-folder-name']);
    assert.equal(made.status, 0, made.stderr.toString());
    const out = fresh();
    const written = await extractTarGz(archive, out);
    assert.deepEqual(written.sort(), Object.keys(CONTENT).sort());
    assert.deepEqual(listFiles(out), Object.keys(CONTENT).sort());
    for (const [name, bytes] of Object.entries(CONTENT)) assert.ok(readFileSync(join(out, name)).equals(bytes), name);
  });
}

/** A ustar header block for `name`, with a correct checksum unless told otherwise. */
function header(name: string, size: number, type = '0', badChecksum = false): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(type, 156);
  h.write('ustar\u000000', 257, 'latin1');
  h.fill(0x20, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0) + (badChecksum ? 1 : 0);
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}
const entry = (name: string, data: Buffer, type = '0') => [header(name, data.length, type), data, Buffer.alloc((512 - (data.length % 512)) % 512)];
const tarOf = (...parts: Buffer[][]) => Buffer.concat([...parts.flat(), Buffer.alloc(1024)]);
async function* chunks(bytes: Buffer, size = 100) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function rejects(bytes: Buffer, ...parts: string[]): Promise<string> {
  const out = fresh();
  await assert.rejects(extractTar(chunks(bytes), out, 'x.tar'), (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    for (const p of parts) assert.ok(err.message.includes(p), `'${err.message}' should include '${p}'`);
    return true;
  });
  return out;
}

test('hand-made archive read in odd-sized chunks: files, folders, pax path', async () => {
  const pax = Buffer.from('27 path=pax/given/name.txt\n'); // a pax record starts with its own length in bytes
  const bytes = tarOf(entry('dir/', Buffer.alloc(0), '5'), entry('dir/a.bin', Buffer.alloc(700, 1)), entry('PaxHeader', pax, 'x'), entry('short', Buffer.from('p')));
  const out = fresh();
  assert.deepEqual(await extractTar(chunks(bytes, 37), out, 'x.tar'), ['dir/a.bin', 'pax/given/name.txt']);
  assert.equal(readFileSync(join(out, 'pax/given/name.txt'), 'utf8'), 'p');
  assert.ok(readFileSync(join(out, 'dir/a.bin')).equals(Buffer.alloc(700, 1)));
});

test('paths that would leave the folder are refused before anything is written outside it', async () => {
  for (const bad of ['../escape.txt', 'a/../../escape.txt', '/etc/escape.txt']) {
    const out = await rejects(tarOf(entry(bad, Buffer.from('x'))), `'${bad}'`, 'outside the target folder');
    assert.ok(!existsSync(join(out, '..', 'escape.txt')));
  }
  assert.ok(!existsSync(join(tmp, 'escape.txt')));
});

test('a bad header checksum, a truncated entry or header, and corrupt gzip are InputErrors naming the archive', async () => {
  await rejects(Buffer.concat([header('a', 1, '0', true), Buffer.alloc(1024)]), 'x.tar', 'corrupt tar header at byte 0');
  const whole = tarOf(entry('a.bin', Buffer.alloc(2000, 3)));
  await rejects(whole.subarray(0, 1500), "entry 'a.bin' is cut short");
  await rejects(whole.subarray(0, 300), 'a header at byte 0 is cut short');
  const gz = join(tmp, 'bad.tar.gz');
  writeFileSync(gz, gzipSync(whole).subarray(0, 40));
  await assert.rejects(extractTarGz(gz, fresh(), 'cifar.tar.gz'), (err: unknown) => err instanceof InputError && /cifar\.tar\.gz: corrupt gzip data/.test(err.message));
});

test('an archive without the end-of-archive blocks still reads (as GNU tar allows)', async () => {
  const out = fresh();
  const bytes = Buffer.concat(entry('a.txt', Buffer.from('hello')));
  assert.deepEqual(await extractTar(chunks(bytes), out, 'x.tar'), ['a.txt']);
});
