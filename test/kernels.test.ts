// lca's kernel replacements against the stock cpu kernels: per kernel, through tf.grads, and for leaks.
//
// One process: stock cpu references are computed first, before anything replaces cpu kernels;
// each test then selects the backend it needs (setBackend is process-global).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import { LcaError } from '../src/errors.js';
import { initBackend } from '../src/backend/init.js';
import { replaceKernels, restoreKernels } from '../src/backend/kernels/index.js';

type Pad = 'same' | 'valid' | number[][];
interface ConvCase {
  x: [number, number, number, number]; // [B, H, W, C]
  k: [number, number];
  cout: number;
  stride: [number, number];
  pad: Pad;
}

const conv = (x: ConvCase['x'], k: number | [number, number], cout: number, s: number | [number, number], pad: Pad): ConvCase => ({
  x,
  k: typeof k === 'number' ? [k, k] : k,
  cout,
  stride: typeof s === 'number' ? [s, s] : s,
  pad,
});

const CONV_CASES: ConvCase[] = [
  conv([2, 7, 7, 3], 3, 5, 1, 'same'),
  conv([2, 8, 8, 3], 3, 5, 2, 'same'),
  conv([3, 7, 7, 4], 3, 2, 2, 'same'),
  conv([2, 9, 9, 3], 5, 4, 1, 'valid'),
  conv([2, 9, 9, 3], 5, 4, 2, 'valid'),
  conv([2, 8, 8, 2], 5, 3, 2, 'same'),
  conv([2, 7, 6, 3], 1, 5, 1, 'same'),
  conv([2, 8, 8, 3], 1, 6, 2, 'same'),
  conv([2, 7, 7, 3], 1, 6, 2, 'valid'),
  conv([2, 10, 10, 3], 3, 4, 2, 'valid'), // the last input row is never read
  conv([2, 6, 8, 3], [3, 1], 4, [2, 1], 'same'),
  conv([2, 7, 7, 3], 3, 4, 1, [[0, 0], [1, 2], [0, 1], [0, 0]]),
  conv([1, 12, 12, 6], 5, 4, 1, 'valid'), // LeNet conv2-like
];

const label = (c: ConvCase) =>
  `x ${c.x.join('×')}, ${c.k.join('×')}→${c.cout}, stride ${c.stride.join(',')}, ${JSON.stringify(c.pad)}`;

/** Deterministic values in [-1, 1) (an LCG), identical on every backend. */
function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
const tensor = (shape: number[], seed: number) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);

/** max |a − b| / max |b|: the relative error the replacements must keep under 1e-4. */
function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return diff / scale;
}
const assertClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) => {
  const err = relError(actual, expected);
  assert.ok(err <= 1e-4, `${what}: relative error ${err}`);
};

/** Runs a kernel through the engine and returns its values, freeing everything. */
function kernelValues(name: string, inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): Float32Array {
  const out = tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

function convInputs(c: ConvCase, i: number) {
  const x = tensor(c.x, 10 + i);
  const filter = tensor([...c.k, c.x[3], c.cout], 20 + i);
  const y = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.stride, c.pad as 'same');
  const dy = tensor(y.shape, 30 + i);
  y.dispose();
  return { x, filter, dy };
}

function backpropFilter(c: ConvCase, i: number): Float32Array {
  const { x, filter, dy } = convInputs(c, i);
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: filter.shape };
  const out = kernelValues(tf.Conv2DBackpropFilter, { x, dy }, attrs);
  tf.dispose([x, filter, dy]);
  return out;
}

function backpropInput(c: ConvCase, i: number): Float32Array {
  const { x, filter, dy } = convInputs(c, i);
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: x.shape };
  const out = kernelValues(tf.Conv2DBackpropInput, { dy, filter }, attrs);
  tf.dispose([x, filter, dy]);
  return out;
}

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}
const MATMUL_CASES: MatMulCase[] = [
  { a: [37, 11], b: [37, 5], transposeA: true, transposeB: false }, // Dense dW = xᵀ·dy
  { a: [37, 5], b: [11, 5], transposeA: false, transposeB: true }, // Dense dx = dy·Wᵀ
  { a: [9, 4], b: [6, 9], transposeA: true, transposeB: true },
  { a: [3, 9, 4], b: [3, 9, 7], transposeA: true, transposeB: false },
  { a: [3, 4, 9], b: [1, 7, 9], transposeA: false, transposeB: true }, // broadcast batch
  { a: [3, 4, 9], b: [3, 9, 7], transposeA: false, transposeB: false }, // stock fused adds the bias wrongly
];

function matMul(c: MatMulCase, i: number, fused: boolean): Float32Array {
  const a = tensor(c.a, 40 + i);
  const b = tensor(c.b, 50 + i);
  const n = c.transposeB ? (c.b.at(-2) as number) : (c.b.at(-1) as number);
  const bias = tensor([n], 60 + i);
  const out = fused
    ? tf.fused.matMul({ a, b, transposeA: c.transposeA, transposeB: c.transposeB, bias, activation: 'relu' })
    : tf.matMul(a, b, c.transposeA, c.transposeB);
  const data = out.dataSync() as Float32Array;
  tf.dispose([a, b, bias, out]);
  return data;
}

/** The conv net of the brief (conv same s1 → relu → conv same s2 → mean) and a fused/dense variant. */
const NETS = {
  'conv s1 → relu → conv s2 → mean': (x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) =>
    tf.mean(tf.conv2d(tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same')), w2 as tf.Tensor4D, 2, 'same')),
  'fused conv+bias+relu → conv s2 → dense → squared mean': (x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) => {
    const bias = tf.fill([4], 0.1);
    const h = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w1 as tf.Tensor4D, strides: 1, pad: 'same', bias, activation: 'relu' });
    const y = tf.conv2d(h, w2 as tf.Tensor4D, 2, 'same'); // [2, 4, 4, 6]
    const flat = tf.reshape(y, [2, 96]);
    const dense = tf.matMul(flat, tf.reshape(tf.range(0, 96 * 3).div(300), [96, 3]));
    return tf.mean(tf.square(dense));
  },
};

function netGrads(net: keyof typeof NETS): Float32Array[] {
  const inputs = [tensor([2, 8, 8, 3], 1), tensor([3, 3, 3, 4], 2), tensor([3, 3, 4, 6], 3)];
  const grads = tf.grads(NETS[net] as (...args: tf.Tensor[]) => tf.Tensor)(inputs);
  const out = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([...inputs, ...grads]);
  return out;
}

// ---- Stock cpu references, before any replacement exists in this process.
tf.enableProdMode();
await tf.setBackend('cpu');
const refFilter = CONV_CASES.map(backpropFilter);
const refInput = CONV_CASES.map(backpropInput);
const refMatMul = MATMUL_CASES.map((c, i) => matMul(c, i, false));
const refFusedMatMul = MATMUL_CASES.map((c, i) => matMul(c, i, true));
const refNets = Object.fromEntries(Object.keys(NETS).map((n) => [n, netGrads(n as keyof typeof NETS)]));

test('the stock wasm backend has no Conv2DBackpropFilter, and initBackend adds it', async () => {
  assert.equal(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm'), undefined);
  const info = await initBackend('wasm');
  assert.ok(info.kernelsReplaced.includes('Conv2DBackpropFilter'));
  assert.notEqual(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm'), undefined);
});

CONV_CASES.forEach((c, i) => {
  test(`wasm Conv2DBackpropFilter matches stock cpu: ${label(c)}`, async () => {
    await tf.setBackend('wasm');
    assertClose(backpropFilter(c, i), refFilter[i] as Float32Array, 'dW');
  });
  test(`wasm Conv2DBackpropInput matches stock cpu: ${label(c)}`, async () => {
    await tf.setBackend('wasm');
    assertClose(backpropInput(c, i), refInput[i] as Float32Array, 'dx');
  });
});

MATMUL_CASES.forEach((c, i) => {
  test(`wasm BatchMatMul and _FusedMatMul match stock cpu: ${c.a.join('×')}${c.transposeA ? 'ᵀ' : ''} · ${c.b.join('×')}${c.transposeB ? 'ᵀ' : ''}`, async () => {
    await tf.setBackend('wasm');
    assertClose(matMul(c, i, false), refMatMul[i] as Float32Array, 'matMul');
    assertClose(matMul(c, i, true), refFusedMatMul[i] as Float32Array, 'fused matMul');
  });
});

for (const net of Object.keys(NETS) as (keyof typeof NETS)[]) {
  test(`tf.grads of ${net}: wasm with replacements matches stock cpu`, async () => {
    await tf.setBackend('wasm');
    netGrads(net).forEach((g, i) => assertClose(g, refNets[net]?.[i] as Float32Array, `grad ${i}`));
  });
}

test('the replacements free every intermediate (numDataIds of the wasm backend)', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  const before = backend.numDataIds();
  CONV_CASES.forEach((c, i) => {
    backpropFilter(c, i);
    backpropInput(c, i);
  });
  MATMUL_CASES.forEach((c, i) => {
    matMul(c, i, false);
    matMul(c, i, true);
  });
  assert.equal(backend.numDataIds(), before);
});

test('a grad call inside tf.tidy leaves no tensor and no wasm data behind', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  const inputs = [tensor([2, 8, 8, 3], 1), tensor([3, 3, 3, 4], 2), tensor([3, 3, 4, 6], 3)];
  const grad = tf.grads(NETS['fused conv+bias+relu → conv s2 → dense → squared mean'] as (...args: tf.Tensor[]) => tf.Tensor);
  const tensors = tf.memory().numTensors;
  const dataIds: number[] = [];
  for (let i = 0; i < 3; i++) {
    tf.tidy(() => {
      grad(inputs);
    });
    dataIds.push(backend.numDataIds());
  }
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(dataIds[2], dataIds[0]);
  tf.dispose(inputs);
});

test('NCHW is refused on wasm with an LcaError instead of a wrong answer', async () => {
  await tf.setBackend('wasm');
  const x = tensor([1, 3, 6, 6], 1);
  const dy = tensor([1, 2, 6, 6], 2);
  assert.throws(
    () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 2] }),
    LcaError,
  );
  tf.dispose([x, dy]);
});

test('restoreKernels puts the stock wasm kernels back, and replaceKernels installs them again', async () => {
  await tf.setBackend('wasm');
  restoreKernels('wasm');
  assert.equal(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm'), undefined);
  assertClose(backpropInput(CONV_CASES[1] as ConvCase, 1), refInput[1] as Float32Array, 'stock dx');
  assert.deepEqual(replaceKernels('wasm'), ['BatchMatMul', '_FusedMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput']);
  assertClose(backpropFilter(CONV_CASES[1] as ConvCase, 1), refFilter[1] as Float32Array, 'dW');
});

test('cpu with replacements: Conv2DBackpropFilter and tf.grads match the stock kernels', async () => {
  const info = await initBackend('cpu');
  assert.deepEqual(info.kernelsReplaced, ['Conv2DBackpropFilter', 'FusedBatchNorm gradient']);
  CONV_CASES.forEach((c, i) => assertClose(backpropFilter(c, i), refFilter[i] as Float32Array, `dW ${label(c)}`));
  for (const net of Object.keys(NETS) as (keyof typeof NETS)[]) {
    netGrads(net).forEach((g, i) => assertClose(g, refNets[net]?.[i] as Float32Array, `${net} grad ${i}`));
  }
});

test('cpu keeps the stock kernel for NCHW', async () => {
  await tf.setBackend('cpu');
  const x = tensor([2, 3, 6, 6], 1);
  const dy = tensor([2, 4, 3, 3], 2);
  const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] };
  const out = kernelValues(tf.Conv2DBackpropFilter, { x, dy }, attrs);
  restoreKernels('cpu');
  const stock = kernelValues(tf.Conv2DBackpropFilter, { x, dy }, attrs);
  replaceKernels('cpu');
  assertClose(out, stock, 'NCHW dW');
  tf.dispose([x, dy]);
});
