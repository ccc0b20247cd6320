// Checks the IDX reader and writer: round trips (plain and gzip) and one InputError per failure.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputError } from '../src/errors.js';
import { encodeIdx, readIdx, writeIdx } from '../src/data/idx.js';

const dir = mkdtempSync(join(tmpdir(), 'lca-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const dims = [3, 2, 4];
const data = Uint8Array.from({ length: 24 }, (_, i) => (i * 37) % 256);

/** Asserts an InputError whose one-line message names the file and matches `pattern`. */
function assertInputError(path: string, pattern: RegExp): void {
  assert.throws(() => readIdx(path), (err: unknown) => {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    assert.ok(err.message.includes(path), `message names the file: ${err.message}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    assert.match(err.message, pattern);
    return true;
  });
}

test('round trip, uncompressed', () => {
  const path = join(dir, 'plain-idx3-ubyte');
  writeIdx(path, dims, data);
  const bytes = readFileSync(path);
  assert.deepEqual([...bytes.subarray(0, 8)], [0, 0, 8, 3, 0, 0, 0, 3]);
  assert.equal(bytes.length, 4 + 12 + 24);
  const back = readIdx(path);
  assert.deepEqual(back.dims, dims);
  assert.deepEqual(back.data, data);
});

test('round trip, gzipped, detected by magic bytes not by name', () => {
  const path = join(dir, 'zipped-without-suffix');
  writeIdx(path, [24], data, { gzip: true });
  assert.deepEqual([...readFileSync(path).subarray(0, 2)], [0x1f, 0x8b]);
  const back = readIdx(path);
  assert.deepEqual(back.dims, [24]);
  assert.deepEqual(back.data, data);
  // An uncompressed file named .gz reads too.
  const misnamed = join(dir, 'plain.gz');
  writeIdx(misnamed, dims, data);
  assert.deepEqual(readIdx(misnamed).data, data);
});

test('gzip output is deterministic', () => {
  const a = join(dir, 'a.gz');
  const b = join(dir, 'b.gz');
  writeIdx(a, dims, data, { gzip: true });
  writeIdx(b, dims, data, { gzip: true });
  assert.deepEqual(readFileSync(a), readFileSync(b));
});

test('missing file', () => {
  assertInputError(join(dir, 'nope-idx1-ubyte'), /cannot read IDX file \(no such file\)/);
});

test('a directory instead of a file', () => {
  assertInputError(dir, /cannot read IDX file \(is a directory\)/);
});

test('wrong magic number', () => {
  const path = join(dir, 'bad-magic');
  writeFileSync(path, Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]));
  assertInputError(path, /not an IDX file \(magic number 50 4b 03 04\)/);
});

test('unsupported data type', () => {
  const path = join(dir, 'float-idx');
  const bytes = encodeIdx([1], Uint8Array.of(0));
  bytes[2] = 0x0d;
  writeFileSync(path, bytes);
  assertInputError(path, /unsupported data type \(float\) 0x0d/);
});

test('truncated data', () => {
  const path = join(dir, 'truncated.gz');
  writeFileSync(path, gzipSync(encodeIdx(dims, data).subarray(0, 30)));
  assertInputError(path, /truncated IDX file \(dimensions \[3, 2, 4\] need 24 data bytes, found 14\)/);
});

test('truncated header', () => {
  const path = join(dir, 'short-header');
  writeFileSync(path, encodeIdx(dims, data).subarray(0, 10));
  assertInputError(path, /truncated IDX file \(header declares 3 dimensions/);
});

test('corrupt gzip', () => {
  const path = join(dir, 'corrupt.gz');
  const zipped = gzipSync(encodeIdx(dims, data));
  writeFileSync(path, zipped.subarray(0, zipped.length - 12));
  assertInputError(path, /corrupt gzip data/);
  const garbage = join(dir, 'garbage.gz');
  writeFileSync(garbage, Uint8Array.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  assertInputError(garbage, /corrupt gzip data/);
});

test('trailing bytes after the data', () => {
  const path = join(dir, 'trailing');
  writeFileSync(path, Buffer.concat([encodeIdx(dims, data), Buffer.from([1, 2])]));
  assertInputError(path, /2 bytes after the \[3, 2, 4\] data/);
});

test('writeIdx refuses dims that do not match the data', () => {
  assert.throws(() => writeIdx(join(dir, 'x'), [5], data), RangeError);
});
