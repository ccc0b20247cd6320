// Tensor files from other tools: safetensors written and read back (every dtype lca converts),
// .npz archives made by numpy itself (deflated and stored, fixtures/interop) and by `lca export`,
// and the one-line errors for broken files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSafetensors, writeSafetensors } from '../src/interop/safetensors.js';
import { readNpz, writeNpz } from '../src/interop/npz.js';
import { toFloat32, toIntegers, type RawTensor } from '../src/interop/tensors.js';
import { InputError } from '../src/errors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-interop-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const f32 = (name: string, shape: number[], values: number[]): RawTensor => ({ name, dtype: 'float32', shape, bytes: bytesOf(Float32Array.from(values)) });

test('safetensors: write then read gives the same names, shapes and values', () => {
  const file = path.join(tmp, 'a.safetensors');
  const tensors = [f32('fc1.weight', [2, 3], [1, 2, 3, 4, 5, 6]), f32('fc1.bias', [2], [-1, 0.5])];
  writeSafetensors(file, tensors);
  const back = readSafetensors(file);
  assert.deepEqual(back.map((t) => [t.name, t.dtype, t.shape]), [['fc1.weight', 'float32', [2, 3]], ['fc1.bias', 'float32', [2]]]);
  assert.deepEqual(Array.from(toFloat32(back[0], file)), [1, 2, 3, 4, 5, 6]);
  // The header is padded to 8 bytes, as the reference writer does.
  assert.equal(Number(fs.readFileSync(file).readBigUInt64LE(0)) % 8, 0);
});

test('float16, bfloat16 and float64 convert to float32', () => {
  // float16 bit patterns: 1.0 = 0x3c00, -2.5 = 0xc100, 2^-24 (smallest subnormal) = 0x0001, +inf = 0x7c00.
  const half: RawTensor = { name: 'h', dtype: 'float16', shape: [4], bytes: bytesOf(Uint16Array.from([0x3c00, 0xc100, 0x0001, 0x7c00])) };
  assert.deepEqual(Array.from(toFloat32(half, 'x')), [1, -2.5, 2 ** -24, Infinity]);
  // bfloat16 is the top half of a float32: 1.0 = 0x3f80, -0.15625 = 0xbe20.
  const brain: RawTensor = { name: 'b', dtype: 'bfloat16', shape: [2], bytes: bytesOf(Uint16Array.from([0x3f80, 0xbe20])) };
  assert.deepEqual(Array.from(toFloat32(brain, 'x')), [1, -0.15625]);
  const double: RawTensor = { name: 'd', dtype: 'float64', shape: [1], bytes: bytesOf(Float64Array.from([0.1])) };
  assert.equal(toFloat32(double, 'x')[0], Math.fround(0.1));
  assert.throws(() => toFloat32({ name: 'n', dtype: 'int64', shape: [1], bytes: new Uint8Array(8) }, 'f.npz'), /f\.npz: n is int64; expected floating-point/);
});

test('numpy\'s own .npz files: deflated (savez_compressed) and stored (savez)', () => {
  const compressed = new Map(readNpz('fixtures/interop/numpy-compressed.npz').map((t) => [t.name, t]));
  assert.deepEqual([...compressed.keys()].sort(), ['d', 'labels', 'w']);
  assert.deepEqual(compressed.get('w')!.shape, [2, 3]);
  assert.deepEqual(Array.from(toFloat32(compressed.get('w')!, 'x')), [0, 0.25, 0.5, 0.75, 1, 1.25]);
  assert.deepEqual(toIntegers(compressed.get('labels')!, 'x'), [3, 1, 4]);
  assert.deepEqual(Array.from(toFloat32(compressed.get('d')!, 'x')), [Math.fround(0.1), Math.fround(0.2)]);
  const stored = new Map(readNpz('fixtures/interop/numpy-stored.npz').map((t) => [t.name, t]));
  assert.deepEqual(Array.from(toFloat32(stored.get('x')!, 'x')), [0, 1, 2, 3]);
  assert.deepEqual(toIntegers(stored.get('y')!, 'x'), [1, 0]);
});

test('.npz written by lca reads back', () => {
  const file = path.join(tmp, 'data.npz');
  writeNpz(file, [f32('x', [2, 2], [1, 2, 3, 4]), { name: 'y', dtype: 'int64', shape: [2], bytes: bytesOf(BigInt64Array.from([7n, 9n])) }]);
  const back = readNpz(file);
  assert.deepEqual(back.map((t) => [t.name, t.dtype, t.shape]), [['x', 'float32', [2, 2]], ['y', 'int64', [2]]]);
  assert.deepEqual(toIntegers(back[1], file), [7, 9]);
});

test('broken files are one-line InputErrors naming the file', () => {
  const junk = path.join(tmp, 'junk.safetensors');
  fs.writeFileSync(junk, Buffer.from('not a tensor file at all'));
  assert.throws(() => readSafetensors(junk), (err: Error) => err instanceof InputError && err.message.startsWith(junk) && !err.message.includes('\n'));
  const truncated = path.join(tmp, 'truncated.safetensors');
  writeSafetensors(truncated, [f32('w', [4], [1, 2, 3, 4])]);
  fs.truncateSync(truncated, fs.statSync(truncated).size - 4);
  assert.throws(() => readSafetensors(truncated), /truncated\.safetensors: w has a malformed header entry/);
  const notZip = path.join(tmp, 'x.npz');
  fs.writeFileSync(notZip, 'hello');
  assert.throws(() => readNpz(notZip), /x\.npz: not an \.npz \(zip\) archive/);
  assert.throws(() => readNpz(path.join(tmp, 'absent.npz')), (err: Error) => err instanceof InputError && /absent\.npz: cannot read/.test(err.message));
});
