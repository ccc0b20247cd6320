// initBackend loads what the probes allow, reports only what ran, and is idempotent per choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import { LcaError } from '../src/errors.js';
import { initBackend } from '../src/backend/init.js';
import { probeBackends } from '../src/backend/probe.js';
import { selectBackends } from '../src/backend/select.js';
import { TFJS_AUTO_ORDER } from '../src/backend/names.js';

const probes = probeBackends(tf.version_core);

test('auto loads the first available TF.js backend and reports what tf is running', async () => {
  const info = await initBackend('auto');
  assert.equal(info.name, selectBackends('auto', probes, TFJS_AUTO_ORDER)[0]);
  assert.equal(tf.getBackend(), info.name.startsWith('tensorflow') ? 'tensorflow' : info.name);
  assert.equal(tf.env().getBool('PROD'), true);
  assert.ok(info.version.length > 0);
});

test('a second call with the same choice returns the same result without reloading', async () => {
  const first = await initBackend('wasm');
  const again = await initBackend('wasm');
  assert.equal(again, first);
  assert.deepEqual(first, {
    name: 'wasm',
    package: '@tensorflow/tfjs-backend-wasm',
    version: '4.22.0',
    kernelsReplaced: ['BatchMatMul', '_FusedMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'FusedBatchNorm gradient'],
  });
  assert.equal(tf.getBackend(), 'wasm');
  assert.notEqual(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
});

test('cpu gets the dW replacement and switching back to wasm keeps each backend patched once', async () => {
  const cpu = await initBackend('cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.deepEqual(cpu.kernelsReplaced, ['Conv2DBackpropFilter', 'FusedBatchNorm gradient']);
  const wasm = await initBackend('wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(wasm.kernelsReplaced.length, 5);
});

for (const choice of ['tensorflow-gpu', 'tensorflow'] as const) {
  test(`an explicit ${choice} that is not usable is an LcaError naming the package`, { skip: probes[choice].available }, async () => {
    const before = tf.getBackend();
    await assert.rejects(initBackend(choice), (err: unknown) => {
      assert.ok(err instanceof LcaError);
      assert.match(err.message, /^@tensorflow\/tfjs-node(-gpu)? /);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
    assert.equal(tf.getBackend(), before, 'a failed choice leaves the running backend alone');
    assert.equal(tf.findBackendFactory('tensorflow'), null, 'nothing was required');
  });
}

test('after an outside tf.setBackend, the same choice switches back instead of reporting a stale backend', async () => {
  await initBackend('wasm');
  await tf.setBackend('cpu');
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
});
