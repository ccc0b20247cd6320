// Backend selection as a pure decision, and the package probes on fake node_modules trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LcaError } from '../src/errors.js';
import { AUTO_ORDER, BACKEND_CHOICES, isBackendChoice, TFJS_AUTO_ORDER } from '../src/backend/names.js';
import { findBinding, findPackageRoot, probeNative, probeWasm } from '../src/backend/probe.js';
import { selectBackends, type ProbeResults } from '../src/backend/select.js';

const up = { available: true };
const down = (reason: string) => ({ available: false, reason });
const probes = (over: Partial<ProbeResults> = {}): ProbeResults => ({
  'onnxruntime-cuda': down('cuda provider missing'),
  onnxruntime: up,
  'tensorflow-gpu': down('gpu missing'),
  tensorflow: down('node missing'),
  wasm: up,
  cpu: up,
  ...over,
});

test('the choices are auto plus the six backends, auto trying GPUs, then native CPU code, then wasm and cpu', () => {
  assert.deepEqual([...BACKEND_CHOICES], ['auto', 'onnxruntime-cuda', 'tensorflow-gpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu']);
  assert.deepEqual([...AUTO_ORDER], ['onnxruntime-cuda', 'tensorflow-gpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu']);
  assert.deepEqual([...TFJS_AUTO_ORDER], ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  assert.ok(isBackendChoice('wasm'));
  assert.ok(!isBackendChoice('webgl'));
});

const autoCases: [string, Partial<ProbeResults>, string[]][] = [
  ['ORT without its CUDA provider, nothing native of TF.js', {}, ['onnxruntime', 'wasm', 'cpu']],
  ['everything', { 'onnxruntime-cuda': up, 'tensorflow-gpu': up, tensorflow: up }, ['onnxruntime-cuda', 'tensorflow-gpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu']],
  ['ORT CUDA and tfjs-node', { 'onnxruntime-cuda': up, tensorflow: up }, ['onnxruntime-cuda', 'onnxruntime', 'tensorflow', 'wasm', 'cpu']],
  ['only tfjs-node-gpu among the GPU backends', { 'tensorflow-gpu': up }, ['tensorflow-gpu', 'onnxruntime', 'wasm', 'cpu']],
  ['no ORT, only tfjs-node-gpu, no wasm', { onnxruntime: down('x'), 'tensorflow-gpu': up, wasm: down('x') }, ['tensorflow-gpu', 'cpu']],
  ['cpu alone', { onnxruntime: down('x'), wasm: down('x') }, ['cpu']],
];
for (const [name, over, expected] of autoCases) {
  test(`auto with ${name} tries ${expected.join(' → ')}`, () => {
    assert.deepEqual(selectBackends('auto', probes(over)), expected);
  });
}

test('an explicit available choice is the only one tried', () => {
  assert.deepEqual(selectBackends('cpu', probes({ 'tensorflow-gpu': up })), ['cpu']);
  assert.deepEqual(selectBackends('tensorflow', probes({ tensorflow: up })), ['tensorflow']);
});

test('an explicit unavailable choice is an LcaError carrying the probe reason', () => {
  assert.throws(() => selectBackends('tensorflow-gpu', probes()), (err: unknown) => {
    assert.ok(err instanceof LcaError);
    assert.equal(err.message, 'gpu missing');
    return true;
  });
  assert.throws(
    () => selectBackends('wasm', probes({ wasm: { available: false } })),
    new LcaError('@tensorflow/tfjs-backend-wasm is not available'),
  );
});

test('auto with nothing available lists every reason', () => {
  const none = probes({ onnxruntime: down('no ort'), wasm: down('no wasm'), cpu: down('no cpu') });
  assert.throws(() => selectBackends('auto', none), /no backend is available: cuda provider missing; gpu missing; no ort; node missing; no wasm; no cpu/);
});

/** A throwaway project dir holding node_modules/<pkg> with the given files. */
function fakeProject(pkg: string, version: string, files: string[]): { dir: string; from: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lca-probe-'));
  const root = join(dir, 'node_modules', pkg);
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: pkg, version, main: 'dist/index.js' }));
  writeFileSync(join(root, 'dist', 'index.js'), '');
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  return { dir, from: join(dir, 'index.js') };
}

test('a native package that is not installed says how to install it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lca-probe-'));
  try {
    const result = probeNative('@tensorflow/tfjs-node-gpu', '4.22.0', join(dir, 'index.js'));
    assert.deepEqual(result, {
      available: false,
      reason:
        '@tensorflow/tfjs-node-gpu is not installed: its install script downloads libtensorflow (CUDA 11.2/cuDNN 8.1); ' +
        'run `npm install @tensorflow/tfjs-node-gpu` where the internet is reachable',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a native package without its binding is unavailable, found without requiring it', () => {
  // dist/index.js throws if required: the probe must only resolve it.
  const { dir, from } = fakeProject('@tensorflow/tfjs-node', '4.22.0', ['lib/napi-v8/libtensorflow.so']);
  try {
    writeFileSync(join(dir, 'node_modules/@tensorflow/tfjs-node/dist/index.js'), 'throw new Error("required")');
    const result = probeNative('@tensorflow/tfjs-node', '4.22.0', from);
    assert.equal(result.available, false);
    assert.equal(result.version, '4.22.0');
    assert.match(result.reason ?? '', /^@tensorflow\/tfjs-node is installed but lib\/napi-v\*\/tfjs_binding.node is missing/);
    assert.match(result.reason ?? '', /npm rebuild @tensorflow\/tfjs-node/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a native package with its binding is available only at the same version as tfjs', () => {
  const { dir, from } = fakeProject('@tensorflow/tfjs-node', '4.22.0', ['lib/napi-v8/tfjs_binding.node']);
  try {
    const root = findPackageRoot('@tensorflow/tfjs-node', from);
    assert.equal(root, join(dir, 'node_modules/@tensorflow/tfjs-node'));
    assert.equal(findBinding(root ?? ''), join(dir, 'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'));
    assert.deepEqual(probeNative('@tensorflow/tfjs-node', '4.22.0', from), { available: true, version: '4.22.0' });
    const other = probeNative('@tensorflow/tfjs-node', '4.21.0', from);
    assert.equal(other.available, false);
    assert.match(other.reason ?? '', /4\.22\.0 does not match @tensorflow\/tfjs 4\.21\.0; run `npm install @tensorflow\/tfjs-node@4\.21\.0`/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the wasm probe finds the installed package with its .wasm files', () => {
  assert.deepEqual(probeWasm(), { available: true, version: '4.22.0' });
  const dir = mkdtempSync(join(tmpdir(), 'lca-probe-'));
  try {
    assert.match(probeWasm(join(dir, 'index.js')).reason ?? '', /is not installed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
