// Each backward rule of the ONNX autodiff, micrograd-style: a small graph around the op, its gradient
// model run on ONNX Runtime, and sampled elements of each parameter's gradient checked against central
// finite differences of the same model's loss. A wrong rule is off by O(1); float32 round-off by ~1e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradientGraph } from '../src/engine/autodiff.js';
import { attr } from '../src/engine/onnx/builder.js';
import { InputError } from '../src/errors.js';
import { openGradientSession } from '../src/engine/session.js';
import { elementChecks, logitsModel, parameter, randomValues, smallModel, type Parameter } from './helpers/onnx-check.js';
import type { GraphBuilder } from '../src/engine/onnx/builder.js';

const TOLERANCE = 1e-2;
const BATCH = 3;
const LABELS = [0, 2, 1];

async function expectGradients(inputDims: number[], parameters: Parameter[], body: (g: GraphBuilder) => string, opset = 17): Promise<void> {
  const model = smallModel(inputDims, parameters, body, opset);
  const x = randomValues(BATCH * inputDims.reduce((a, b) => a * b, 1), 5);
  const checks = await elementChecks(model, model.graph.outputs[0].name, parameters, x, LABELS);
  for (const c of checks) {
    assert.ok(c.largest > 1e-3, `${c.name}: gradient ${c.largest} is too small to check anything`);
    assert.ok(c.error < TOLERANCE, `${c.name}: finite differences differ by ${c.error} of the largest gradient element`);
  }
}

/** A per-pixel scale in front of the op, so that the op's input gradient is checked through it. */
const scaled = (g: GraphBuilder): string => g.op('Mul', ['x', 's']);
const scale = (dims: number[]) => parameter('s', [1, ...dims], 11, 1);

test('Gemm with transA, transB, alpha, beta and a broadcast C', async () => {
  const ps = [parameter('s', [4], 1), parameter('B', [3, 4], 2), parameter('C', [3], 3)];
  await expectGradients([4], ps, (g) => g.op('Gemm', [g.transpose(g.op('Mul', ['x', 's']), [1, 0]), 'B', 'C'], {
    transA: attr.int(1), transB: attr.int(1), alpha: attr.float(0.7), beta: attr.float(1.3),
  }));
});

test('MatMul broadcast over a batch axis, Add of a bias, ReduceMean without keepdims', async () => {
  const ps = [parameter('W', [4, 3], 1), parameter('b', [3], 2)];
  await expectGradients([2, 4], ps, (g) => g.reduce('ReduceMean', g.op('Add', [g.op('MatMul', ['x', 'W']), 'b']), [1], false));
});

test('Sub, Mul, Div and Sqrt with broadcasting', async () => {
  const ps = [parameter('a', [1, 4], 1), parameter('b', [4], 2), parameter('c', [4], 3)];
  await expectGradients([4], ps, (g) => {
    const denominator = g.op('Sqrt', [g.op('Add', [g.op('Mul', ['c', 'c']), g.scalar(1)])]);
    return g.op('Div', [g.op('Sub', [g.op('Mul', ['x', 'a']), 'b']), denominator]);
  });
});

test('Conv with auto_pad SAME_UPPER and stride 2 (TF same), bias and ReLU', async () => {
  const ps = [scale([2, 7, 7]), parameter('W', [3, 2, 3, 3], 2), parameter('b', [3], 3, 0.1)];
  await expectGradients([2, 7, 7], ps, (g) => g.op('Relu', [g.op('Conv', [scaled(g), 'W', 'b'], {
    auto_pad: attr.string('SAME_UPPER'), strides: attr.ints([2, 2]), kernel_shape: attr.ints([3, 3]),
  })]));
});

test('Conv with explicit asymmetric pads, unequal strides and a dilation', async () => {
  const ps = [scale([2, 7, 8]), parameter('W', [3, 2, 2, 3], 2)];
  await expectGradients([2, 7, 8], ps, (g) => g.op('Conv', [scaled(g), 'W'], {
    pads: attr.ints([1, 0, 0, 2]), strides: attr.ints([1, 2]), dilations: attr.ints([2, 1]),
  }));
});

test('Conv with 8 input channels (the filter gradient as shifted products): SAME 3×3 and ReLU, then a dilated, asymmetrically padded 3×2', async () => {
  const ps = [scale([8, 7, 6]), parameter('W', [8, 8, 3, 3], 2), parameter('V', [2, 8, 3, 2], 4), parameter('b', [8], 3, 0.1)];
  await expectGradients([8, 7, 6], ps, (g) => {
    const same = g.op('Conv', [scaled(g), 'W', 'b'], { auto_pad: attr.string('SAME_UPPER'), kernel_shape: attr.ints([3, 3]) });
    // The ReLU keeps b's gradient clear of finite-difference noise (through linear layers alone it nearly cancels).
    return g.op('Conv', [g.op('Relu', [same]), 'V'], { pads: attr.ints([1, 0, 0, 2]), dilations: attr.ints([2, 1]) });
  });
});

test('Convs of 16 filters, which run in ORT\'s blocked form (src/engine/nchwc.ts): 3 channels at stride 2, then 16 dilated and asymmetrically padded', async () => {
  const ps = [scale([3, 7, 6]), parameter('W', [16, 3, 3, 3], 2, 0.3), parameter('b', [16], 3, 0.1), parameter('V', [16, 16, 3, 2], 4, 0.2)];
  await expectGradients([3, 7, 6], ps, (g) => {
    const strided = g.op('Conv', [scaled(g), 'W', 'b'], { auto_pad: attr.string('SAME_UPPER'), kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) });
    return g.op('Conv', [strided, 'V'], { pads: attr.ints([2, 0, 1, 1]), dilations: attr.ints([2, 1]) });
  });
});

test('Strided convs of 8 channels (the filter gradient as one product per offset): SAME 3×3 at stride 2, a 1×1 at stride 2 and a dilated, padded 3×2 at strides 2 and 3', async () => {
  const ps = [scale([8, 9, 8]), parameter('W', [8, 8, 3, 3], 2, 0.3), parameter('b', [8], 3, 0.1), parameter('U', [8, 8, 1, 1], 4, 0.3), parameter('V', [3, 8, 3, 2], 5, 0.3)];
  await expectGradients([8, 9, 8], ps, (g) => {
    const same = g.op('Conv', [scaled(g), 'W', 'b'], { auto_pad: attr.string('SAME_UPPER'), kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) });
    const projected = g.op('Conv', [scaled(g), 'U'], { strides: attr.ints([2, 2]) });
    const joined = g.op('Add', [same, projected]);
    return g.op('Conv', [joined, 'V'], { pads: attr.ints([1, 0, 2, 1]), dilations: attr.ints([2, 1]), strides: attr.ints([2, 3]) });
  });
});

test('MaxPool with pads and overlapping windows', async () => {
  await expectGradients([2, 7, 7], [scale([2, 7, 7])], (g) => g.op('MaxPool', [scaled(g)], {
    kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]),
  }));
});

test('AveragePool with pads excluded from the count, and GlobalAveragePool', async () => {
  await expectGradients([2, 7, 7], [scale([2, 7, 7])], (g) => g.op('AveragePool', [scaled(g)], {
    kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]), count_include_pad: attr.int(0),
  }));
  await expectGradients([2, 5, 5], [scale([2, 5, 5])], (g) => g.op('GlobalAveragePool', [scaled(g)]));
});

test('BatchNormalization in training mode (gradient through the batch statistics) and in inference mode', async () => {
  const affine = () => [parameter('gamma', [2], 2), parameter('beta', [2], 3)];
  const stats = (g: GraphBuilder) => [g.floats([0.1, -0.2]), g.floats([0.5, 2])];
  await expectGradients([2, 3, 3], [scale([2, 3, 3]), ...affine()], (g) => g.add('BatchNormalization', [scaled(g), 'gamma', 'beta', ...stats(g)], {
    epsilon: attr.float(1e-3), training_mode: attr.int(1),
  }, 3)[0]);
  await expectGradients([2, 3, 3], [scale([2, 3, 3]), ...affine()], (g) => g.op('BatchNormalization', [scaled(g), 'gamma', 'beta', ...stats(g)]));
});

test('Transpose, Reshape with 0 and -1, ReduceSum (axes input, opset 13) and a value used twice', async () => {
  await expectGradients([2, 3, 4], [scale([2, 3, 4])], (g) => {
    const xs = scaled(g);
    const joined = g.op('Add', [g.op('Relu', [xs]), xs]); // two paths into s
    const moved = g.reshape(g.transpose(joined, [0, 2, 1, 3]), [0, -1, 2]);
    return g.reduce('ReduceSum', moved, [2], false);
  }, 13);
});

test('ReduceMean with its axes as an input (opset 18 and later)', async () => {
  await expectGradients([2, 3], [scale([2, 3])], (g) => g.reduce('ReduceMean', scaled(g), [2], true), 21);
});

test('an op without a backward rule is an InputError naming the op and the node', () => {
  const model = logitsModel([3], [parameter('W', [3, 3], 1)], (g) => g.op('Tanh', [g.op('MatMul', ['x', 'W'])]));
  assert.throws(() => gradientGraph(model, { logits: model.graph.outputs[0].name, parameters: ['W'] }),
    (e: Error) => e instanceof InputError && /Tanh node 't\/n_Tanh_\d+'/.test(e.message) && /op Tanh is not supported/.test(e.message));
});

test('a parameter the loss does not read gets a zero gradient; the loss is the summed cross-entropy', async () => {
  const model = logitsModel([3], [parameter('W', [3, 3], 1), parameter('unused', [2], 2)], (g) => g.op('MatMul', ['x', 'W']));
  const session = await openGradientSession(gradientGraph(model, { logits: model.graph.outputs[0].name, parameters: ['W', 'unused'] }), { provider: 'cpu', threads: 1 });
  try {
    const x = Float32Array.of(1, 0, 0, 0, 1, 0);
    const w = Float32Array.of(1, 2, 3, 0, 0, 0, 0, 0, 0); // logits: [1, 2, 3] and [0, 0, 0]
    const { lossSum, gradients } = await session.run({ images: x, labels: BigInt64Array.of(2n, 0n) }, [w, Float32Array.of(5, 6)]);
    const expected = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3))) + Math.log(3);
    assert.ok(Math.abs(lossSum - expected) < 1e-5, `loss ${lossSum} vs ${expected}`);
    assert.deepEqual(Array.from(gradients[1]), [0, 0]);
  } finally {
    await session.release();
  }
});
