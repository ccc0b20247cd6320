// The ModelProto writer: models it encodes load in ONNX Runtime and compute what their nodes say,
// with every attribute kind (int incl. negative, ints, float, string, tensor) and a symbolic batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { attr, GraphBuilder } from '../src/engine/onnx/builder.js';
import { encodeModel } from '../src/engine/onnx/encode.js';
import { DataType, type OnnxModel } from '../src/engine/onnx/model.js';

function model(): OnnxModel {
  const g = new GraphBuilder(17, '');
  // y = Softmax(axis −1)(Gemm(x, Wᵀ, b; alpha 2, transB 1)) + Constant, then padded by 1 on the right with 7 (a string attribute).
  const gemm = g.op('Gemm', ['x', 'W', 'b'], { alpha: attr.float(2), transB: attr.int(1) });
  const soft = g.op('Softmax', [gemm], { axis: attr.int(-1) });
  const constant = g.op('Constant', [], { value: { kind: 'tensor', value: { name: '', dataType: DataType.FLOAT, dims: [2], data: Float32Array.of(10, 20) } } });
  const shifted = g.op('Add', [soft, constant]);
  g.add('Pad', [shifted, g.int64s([0, 0, 0, 1]), g.scalar(7)], { mode: attr.string('constant') }, ['y']);
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'lca-test',
    graph: {
      name: 'encode-test',
      nodes: g.nodes,
      initializers: [
        { name: 'W', dataType: DataType.FLOAT, dims: [2, 3], data: Float32Array.of(1, 0, 0, 0, 1, 0) },
        { name: 'b', dataType: DataType.FLOAT, dims: [2], data: Float32Array.of(0, 1) },
        ...g.initializers,
      ],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 3] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: ['batch', 3] }],
    },
  };
}

test('an encoded model loads in ONNX Runtime and computes what its nodes say', async () => {
  const session = await ort.InferenceSession.create(encodeModel(model()));
  try {
    assert.deepEqual(session.inputNames, ['x']);
    assert.deepEqual(session.outputNames, ['y']);
    const x = Float32Array.of(1, 2, 3, 0.5, 0.5, 0);
    const { y } = await session.run({ x: new ort.Tensor('float32', x, [2, 3]) });
    assert.deepEqual(y.dims, [2, 3]);
    const row = (a: number, b: number) => {
      const e = [Math.exp(a), Math.exp(b)];
      return [10 + e[0] / (e[0] + e[1]), 20 + e[1] / (e[0] + e[1]), 7];
    };
    const expected = [...row(2, 5), ...row(1, 2)]; // 2·(x·Wᵀ) + b
    Array.from(y.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `y[${i}] = ${v}, expected ${expected[i]}`));
  } finally {
    await session.release();
  }
});

test('the encoding is deterministic and a tensor view is written from its own offset', () => {
  const m = model();
  const backing = new Float32Array([99, 1, 0, 0, 0, 1, 0, 99]);
  m.graph.initializers[0].data = backing.subarray(1, 7);
  const a = encodeModel(m);
  const b = encodeModel(model());
  assert.deepEqual(Buffer.from(a), Buffer.from(b));
});
