// The networks' structure against original-conventions.md §3 and §11: parameter and variable
// counts, variable order and names, initialisers, logits shapes, and TF's SAME padding by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MODEL_NAMES } from '../src/config/schema.js';
import { initBackend } from '../src/backend/init.js';
import { initialParameters } from '../src/models/init.js';
import { conv2d, dropout, maxPool2 } from '../src/models/layers.js';
import { parameterTensors } from '../src/models/loss.js';
import { layerOf, layoutOf } from '../src/models/network.js';
import { networkNamed } from '../src/models/registry.js';

// Spec §11 "param counts P" and "variable counts"; VGG-half's 18 = 6 convs + 3 dense, kernel and bias each.
const EXPECTED = {
  'mnist-fc': { parameters: 84060, variables: 6, batchNorm: false, input: [28, 28, 1] },
  'mnist-lenet': { parameters: 808970, variables: 8, batchNorm: false, input: [28, 28, 1] },
  'cifar-allcnn': { parameters: 1371658, variables: 30, batchNorm: true, input: [32, 32, 3] },
  'cifar-resnet20': { parameters: 273066, variables: 82, batchNorm: true, input: [32, 32, 3] },
  'cifar-vgg-half': { parameters: 1918666, variables: 18, batchNorm: false, input: [32, 32, 3] },
} as const;

const names = (model: (typeof MODEL_NAMES)[number]) => networkNamed(model).variables.map((v) => v.name);

test('every model name has a network with the spec parameter and variable counts', () => {
  assert.deepEqual([...MODEL_NAMES].sort(), Object.keys(EXPECTED).sort());
  for (const model of MODEL_NAMES) {
    const net = networkNamed(model);
    const want = EXPECTED[model];
    assert.equal(net.name, model);
    assert.equal(layoutOf(net.variables).total, want.parameters, model);
    assert.equal(net.variables.length, want.variables, model);
    assert.equal(net.usesBatchStatistics, want.batchNorm, model);
    assert.deepEqual(net.inputShape, want.input, model);
    assert.equal(new Set(names(model)).size, want.variables, `${model}: variable names are unique`);
  }
});

test('kernels are He truncated normal, biases and β zero, γ one; conv kernels are HWIO', () => {
  for (const model of MODEL_NAMES) {
    for (const v of networkNamed(model).variables) {
      const kind = v.name.slice(v.name.lastIndexOf('/') + 1);
      const init = { kernel: 'he_truncated_normal', bias: 'zeros', beta: 'zeros', gamma: 'ones' }[kind];
      assert.equal(v.init, init, v.name);
    }
  }
  const theta = initialParameters(networkNamed('cifar-allcnn').variables, 0);
  const gamma = layoutOf(networkNamed('cifar-allcnn').variables).slots.find((s) => s.name === 'batch_norm_1/gamma');
  assert.ok(gamma && theta.subarray(gamma.offset, gamma.offset + gamma.size).every((x) => x === 1));
  assert.deepEqual(networkNamed('mnist-lenet').variables[2].shape, [5, 5, 20, 40]);
});

test('MNIST-FC and MNIST-LeNet: variable order as in the original', () => {
  assert.deepEqual(names('mnist-fc'), ['fc_1/kernel', 'fc_1/bias', 'fc_2/kernel', 'fc_2/bias', 'fc_3/kernel', 'fc_3/bias']);
  assert.deepEqual(names('mnist-lenet'), ['conv2D_1', 'conv2D_2', 'fc_1', 'fc_2'].flatMap((l) => [`${l}/kernel`, `${l}/bias`]));
  assert.deepEqual(networkNamed('mnist-lenet').variables.map((v) => v.shape), [[5, 5, 1, 20], [20], [5, 5, 20, 40], [40], [1960, 400], [400], [400, 10], [10]]);
});

test('CIFAR-AllCNN: conv, BN, strided and head layers in creation order', () => {
  const layers = ['conv2D_1', 'batch_norm_1', 'conv2D_2', 'batch_norm_2', 'conv2D_strided_1', 'conv2D_3', 'batch_norm_3',
    'conv2D_4', 'batch_norm_4', 'conv2D_strided_2', 'conv2D_5', 'batch_norm_5', 'conv2D_6', 'batch_norm_6', 'conv2D_7'];
  const expected = layers.flatMap((l) => (l.startsWith('batch_norm') ? [`${l}/gamma`, `${l}/beta`] : [`${l}/kernel`, `${l}/bias`]));
  assert.deepEqual(names('cifar-allcnn'), expected);
  const shapes = Object.fromEntries(networkNamed('cifar-allcnn').variables.map((v) => [v.name, v.shape]));
  assert.deepEqual(shapes['conv2D_strided_2/kernel'], [3, 3, 192, 192]);
  assert.deepEqual(shapes['conv2D_6/kernel'], [1, 1, 192, 192]);
  assert.deepEqual(shapes['conv2D_7/kernel'], [1, 1, 192, 10]);
});

test('CIFAR-ResNet-20: the spec index map (stem 0–3, blocks, shortcuts 36/37 and 62/63, fc_last 80/81)', () => {
  const n = names('cifar-resnet20');
  assert.deepEqual(n.slice(0, 4), ['conv2D_1/kernel', 'conv2D_1/bias', 'batch_norm_1/gamma', 'batch_norm_1/beta']);
  const inBlock = ['conv2D_1/kernel', 'conv2D_1/bias', 'batch_norm_1/gamma', 'batch_norm_1/beta',
    'conv2D_2/kernel', 'conv2D_2/bias', 'batch_norm_2/gamma', 'batch_norm_2/beta'];
  const starts = { '1A': 4, '1B': 12, '1C': 20, '2A': 28, '2B': 38, '2C': 46, '3A': 54, '3B': 64, '3C': 72 };
  for (const [id, start] of Object.entries(starts)) {
    assert.deepEqual(n.slice(start, start + 8), inBlock.map((v) => `block_${id}/${v}`), id);
  }
  assert.deepEqual(n.slice(36, 38), ['block_2A/shortcut_conv/kernel', 'block_2A/shortcut_conv/bias']);
  assert.deepEqual(n.slice(62, 64), ['block_3A/shortcut_conv/kernel', 'block_3A/shortcut_conv/bias']);
  assert.deepEqual(n.slice(80), ['fc_last/kernel', 'fc_last/bias']);
  const shapes = networkNamed('cifar-resnet20').variables.map((v) => v.shape);
  assert.deepEqual(shapes[28], [3, 3, 16, 32]);
  assert.deepEqual(shapes[36], [1, 1, 16, 32]);
  assert.deepEqual(shapes[62], [1, 1, 32, 64]);
  assert.deepEqual(shapes[80], [64, 10]);
  // layerOf groups kernel with bias and γ with β, block by block.
  assert.equal(layerOf(n[36]), 'block_2A/shortcut_conv');
  assert.equal(new Set(n.map(layerOf)).size, 41);
});

test('CIFAR-VGG-half: six 3×3 convs and three dense layers', () => {
  const shapes = networkNamed('cifar-vgg-half').variables.filter((v) => v.name.endsWith('/kernel')).map((v) => [v.name, v.shape]);
  assert.deepEqual(shapes, [
    ['conv2D_1/kernel', [3, 3, 3, 32]], ['conv2D_2/kernel', [3, 3, 32, 64]], ['conv2D_3/kernel', [3, 3, 64, 128]],
    ['conv2D_4/kernel', [3, 3, 128, 128]], ['conv2D_5/kernel', [3, 3, 128, 256]], ['conv2D_6/kernel', [3, 3, 256, 256]],
    ['fc_1/kernel', [1024, 512]], ['fc_2/kernel', [512, 512]], ['fc_3/kernel', [512, 10]],
  ]);
});

test('every network maps [2, H, W, C] images to [2, 10] finite logits', async () => {
  await initBackend('wasm');
  for (const model of MODEL_NAMES) {
    const net = networkNamed(model);
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => {
      const images = tf.randomUniform([2, ...net.inputShape]) as tf.Tensor4D;
      return net.logits(parameterTensors(net, initialParameters(net.variables, 0)), images);
    });
    assert.deepEqual(logits.shape, [2, 10], model);
    assert.ok(logits.dataSync().every(Number.isFinite), model);
    logits.dispose();
    assert.equal(tf.memory().numTensors, before, `${model} leaks no tensors`);
  }
});

test("conv2d uses TF's SAME padding: stride 2 on an even size pads 0 top/left and 1 bottom/right", async () => {
  await initBackend('wasm');
  const run = (size: number, stride: number): number[] => tf.tidy(() => {
    const layer = conv2d('c', { size, in: 1, out: 1, stride, activation: 'linear' });
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]); // rows 1–4, 5–8, 9–12, 13–16
    return Array.from(layer.apply([tf.ones([size, size, 1, 1]), tf.zeros([1])], x).dataSync());
  });
  // 3×3 windows at rows/cols {0,1,2} and {2,3,pad}: e.g. top-left 1+2+3+5+6+7+9+10+11 = 54; symmetric
  // padding (1 on each side) would give 1+2+5+6 = 14 there.
  assert.deepEqual(run(3, 2), [54, 45, 72, 54]);
  // A 1×1 stride-2 conv samples the even positions.
  assert.deepEqual(run(1, 2), [1, 3, 9, 11]);
  // Stride 1 'same' on 4×4 with a 3×3 kernel pads 1 on every side: the corner sums 1+2+5+6.
  assert.equal(run(3, 1)[0], 14);
});

test('max-pool 2×2 is valid (an odd last row and column are dropped); dropout is the identity', async () => {
  await initBackend('wasm');
  const pooled = tf.tidy(() => {
    const x = tf.tensor4d(Array.from({ length: 25 }, (_, i) => i), [1, 5, 5, 1]);
    return maxPool2().apply([], x);
  });
  assert.deepEqual(pooled.shape, [1, 2, 2, 1]);
  assert.deepEqual(Array.from(pooled.dataSync()), [6, 8, 16, 18]);
  pooled.dispose();
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  assert.equal(dropout(0.5).apply([], x), x);
  x.dispose();
});
