// Checks the legacy MT19937 RandomState against numbers produced by numpy itself.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RandomState } from '../src/data/mt19937.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ValidationSplit {
  mnist_val_indices: number[];
  cifar10_val_indices: number[];
}
const splitVector = JSON.parse(readFileSync(join(root, 'fixtures', 'validation-split.json'), 'utf8')) as ValidationSplit;

// All references below: numpy 1.24.2 on /usr/bin/python3, np.random.RandomState(seed).
// e.g. `r = np.random.RandomState(5); r.random_sample(3).tolist(), r.standard_normal(5).tolist()`.

test('raw 32-bit outputs match numpy (randint(0, 2**32, dtype=np.uint64))', () => {
  const r0 = new RandomState(0);
  assert.deepEqual([r0.nextUint32(), r0.nextUint32(), r0.nextUint32()], [2357136044, 2546248239, 3071714933]);
  const rMax = new RandomState(4294967295);
  assert.deepEqual([rMax.nextUint32(), rMax.nextUint32(), rMax.nextUint32()], [419326371, 479346978, 3918654476]);
  assert.deepEqual([rMax.randomDouble(), rMax.randomDouble()], [0.5626933782475836, 0.5263213126361638]);
});

test('randomInterval matches numpy randint(0, 1001) (masked rejection)', () => {
  const r = new RandomState(7);
  assert.deepEqual(Array.from({ length: 5 }, () => r.randomInterval(1000)), [175, 196, 537, 502, 579]);
  assert.equal(r.randomInterval(0), 0);
});

test('permutation matches numpy on small sizes', () => {
  assert.deepEqual(Array.from(new RandomState(0).permutation(10)), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
  assert.deepEqual(Array.from(new RandomState(42).permutation(7)), [0, 1, 5, 2, 4, 3, 6]);
});

test('permutation(60000) seeded 0 starts with the MNIST validation indices', () => {
  const perm = new RandomState(0).permutation(60000);
  assert.deepEqual(Array.from(perm.subarray(0, 5000)), splitVector.mnist_val_indices);
});

test('permutation(50000) seeded 0 starts with the CIFAR-10 validation indices', () => {
  const perm = new RandomState(0).permutation(50000);
  assert.deepEqual(Array.from(perm.subarray(0, 5000)), splitVector.cifar10_val_indices);
});

test('shuffleInPlace is the same shuffle on a plain array', () => {
  const values = Array.from({ length: 10 }, (_, i) => i);
  new RandomState(0).shuffleInPlace(values);
  assert.deepEqual(values, [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
});

test('randomDouble matches numpy random_sample exactly', () => {
  const r = new RandomState(5);
  assert.deepEqual([r.randomDouble(), r.randomDouble(), r.randomDouble()], [0.22199317108973948, 0.8707323061773764, 0.20671915533942642]);
});

// Normals go through Math.log, which may differ from glibc's log by 1 ulp; allow exactly that.
function assertWithinUlp(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= Math.abs(e) * Number.EPSILON, `draw ${i}: ${a} vs numpy ${e}`);
    assert.equal(Math.fround(a), Math.fround(e), `draw ${i} as float32`);
  });
}

test('standardNormal matches numpy legacy_gauss, including the cached second value', () => {
  const r = new RandomState(5);
  for (let i = 0; i < 3; i++) r.randomDouble();
  const normals = Array.from({ length: 5 }, () => r.standardNormal());
  assertWithinUlp(normals, [-0.023303746449855414, 0.8417776670118138, 1.3675855241672734, 0.5747076876290169, -1.885762407725836]);
});

test('the cached normal survives interleaved uniform draws, as in numpy', () => {
  // r = RandomState(123); r.standard_normal(3); r.random_sample(2); r.standard_normal(3)
  const r = new RandomState(123);
  const first = [r.standardNormal(), r.standardNormal(), r.standardNormal()];
  const uniforms = [r.randomDouble(), r.randomDouble()];
  const second = [r.standardNormal(), r.standardNormal(), r.standardNormal()];
  assertWithinUlp(first, [-1.0856306033005612, 0.9973454465835858, 0.28297849805199204]);
  assert.deepEqual(uniforms, [0.7194689697855631, 0.42310646012446096]);
  assertWithinUlp(second, [-1.506294713918092, -2.426679243393074, -0.42891262885617726]);
});

test('truncatedNormal stays within two standard deviations and redraws beyond them', () => {
  // RandomState(123).standard_normal(8): the 7th, -2.4267, lies beyond 2σ and must be skipped.
  const normals = [-1.0856306033005612, 0.9973454465835858, 0.28297849805199204, -1.506294713918092,
    -0.5786002519685364, 1.651436537097151, -2.426679243393074, -0.42891262885617726];
  const r = new RandomState(123);
  const draws = Array.from({ length: 7 }, () => r.truncatedNormal(0.1));
  assertWithinUlp(draws, normals.filter((x) => Math.abs(x) <= 2).map((x) => x * 0.1));
  const many = new RandomState(1);
  for (let i = 0; i < 10000; i++) assert.ok(Math.abs(many.truncatedNormal(3)) <= 6);
});

test('seeds outside [0, 2^32) are rejected', () => {
  assert.throws(() => new RandomState(-1), RangeError);
  assert.throws(() => new RandomState(2 ** 32), RangeError);
  assert.throws(() => new RandomState(1.5), RangeError);
});
