// ORT's blocked-channel convs (src/engine/nchwc.ts): which Convs are rewritten, and that a rewritten
// model computes what the plain one does. The gradients through them are checked by finite differences
// in engine-autodiff and against TF.js in engine-networks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { blockConvs, NCHWC_DOMAIN } from '../src/engine/nchwc.js';
import { attr, GraphBuilder } from '../src/engine/onnx/builder.js';
import { encodeModel } from '../src/engine/onnx/encode.js';
import { DataType, type OnnxModel } from '../src/engine/onnx/model.js';
import { nchwcBlockSize } from '../src/engine/session.js';
import { inferShapes } from '../src/engine/shapes.js';
import { randomValues } from './helpers/onnx-check.js';

const INPUT = [2, 3, 9, 8];
const WEIGHTS = { W: [16, 3, 3, 3], V: [32, 16, 3, 3], U: [6, 32, 1, 1], G: [32, 16, 3, 3] };

/** 3 → 16 channels at stride 2 with a bias, 16 → 32 dilated, a 6-filter 1×1 and a grouped conv (neither of which fills a block). */
function model(): OnnxModel {
  const g = new GraphBuilder(17, '');
  const first = g.op('Conv', ['x', 'W', 'b'], { auto_pad: attr.string('SAME_UPPER'), kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) });
  const second = g.op('Conv', [g.op('Relu', [first]), 'V'], { pads: attr.ints([2, 1, 2, 0]), dilations: attr.ints([2, 1]) });
  const grouped = g.op('Conv', [second, 'G'], { group: attr.int(2), pads: attr.ints([1, 1, 1, 1]) });
  g.add('Conv', [grouped, 'U'], {}, ['y']);
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'convs',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [
        { name: 'x', elemType: DataType.FLOAT, shape: INPUT },
        ...Object.entries(WEIGHTS).map(([name, dims]) => ({ name, elemType: DataType.FLOAT, shape: dims })),
        { name: 'b', elemType: DataType.FLOAT, shape: [16] },
      ],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [2, 6, 5, 3] }],
    },
  };
}

async function run(m: OnnxModel): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(m), { logSeverityLevel: 3 });
  try {
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', randomValues(INPUT.reduce((a, b) => a * b), 1), INPUT), b: new ort.Tensor('float32', randomValues(16, 2), [16]) };
    Object.entries(WEIGHTS).forEach(([name, dims], i) => (feeds[name] = new ort.Tensor('float32', randomValues(dims.reduce((a, b) => a * b), 3 + i, 0.3), dims)));
    return (await session.run(feeds)).y.data as Float32Array;
  } finally {
    await session.release();
  }
}

test('the blocked kernels\' channel block is found on an x64 CPU with AVX2 (8) or AVX-512 (16)', async (t) => {
  const flags = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  if (process.arch !== 'x64' || !/\bavx2\b/.test(flags)) return t.skip('not an x64 CPU with AVX2');
  assert.equal(await nchwcBlockSize(), /\bavx512f\b/.test(flags) ? 16 : 8);
});

test('the Convs that fill whole blocks are rewritten, with their inputs reordered only where they fill blocks too', () => {
  const blocked = blockConvs(model(), 16);
  const ops = blocked.graph.nodes.map((n) => `${n.domain === NCHWC_DOMAIN ? 'nchwc:' : ''}${n.opType}`).filter((op) => op !== 'Reshape' && op !== 'Transpose' && op !== 'Relu');
  assert.deepEqual(ops, ['nchwc:Conv', 'nchwc:ReorderOutput', 'nchwc:ReorderInput', 'nchwc:Conv', 'nchwc:ReorderOutput', 'Conv', 'Conv']);
  assert.ok(blocked.opsetImports.some((o) => o.domain === NCHWC_DOMAIN));
  const plain = model();
  assert.equal(blockConvs(plain, 0), plain, 'unchanged without blocked kernels');
});

test('a rewritten model computes what the plain one does', async (t) => {
  const block = await nchwcBlockSize();
  if (block < 2) return t.skip('this CPU has no blocked kernels');
  const [plain, blocked] = [await run(model()), await run(blockConvs(model(), block))];
  const largest = plain.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const difference = plain.reduce((m, v, i) => Math.max(m, Math.abs(v - blocked[i])), 0);
  assert.ok(largest > 1, `output too small to compare: ${largest}`);
  assert.ok(difference <= 1e-5 * largest, `blocked convs differ by ${difference} (largest output ${largest})`);
});

test('a Slice\'s shape is inferred, with negative steps and out-of-range ends clamped, so flipped kernels stay blockable', () => {
  const g = new GraphBuilder(17, '');
  const flipped = g.op('Slice', ['x', g.int64s([-1, -1]), g.int64s([-4, -9]), g.int64s([2, 3]), g.int64s([-1, -2])]);
  const clamped = g.op('Slice', ['x', g.int64s([1, 0]), g.int64s([99, 2 ** 31 - 1]), g.int64s([3, 0])]);
  const shapes = inferShapes({ name: 's', nodes: g.nodes, initializers: g.initializers, inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['N', 4, 3, 5] }], outputs: [] });
  assert.deepEqual(shapes.get(flipped), ['N', 4, 3, 3]);
  assert.deepEqual(shapes.get(clamped), ['N', 4, 3, 4]);
});
