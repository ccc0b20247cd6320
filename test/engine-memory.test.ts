// What the ONNX gradient keeps alive between its forward and backward passes, the figure that sets the
// memory of a batch-norm network's gradient at the paper's evaluation batch (2,500 CIFAR images). Measured
// as ONNX Runtime's own count of arena bytes in use, from its per-node profile: exact, and independent of
// the machine's load, unlike RSS (scripts/bench-gradient.ts gives RSS at the full batch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gradientGraph } from '../src/engine/autodiff.js';
import { forwardGraph, LOGITS } from '../src/engine/forward.js';
import { openGradientSession } from '../src/engine/session.js';
import { layoutOf } from '../src/models/network.js';
import { networkNamed } from '../src/models/registry.js';
import { initialParameters } from '../src/models/init.js';
import { tempDir } from './helpers/temp-dir.js';

const resnet = networkNamed('cifar-resnet20');
const parameters = layoutOf(resnet.variables).slots;
const model = () => gradientGraph(forwardGraph(resnet), { logits: LOGITS, parameters: parameters.map((s) => s.name) });

test('ResNet-20: the backward pass reads no conv output and no ReLU of a batch norm (it rebuilds those from x̂)', () => {
  const { nodes } = model().graph;
  const loss = nodes.findIndex((n) => n.opType === 'SoftmaxCrossEntropyLoss');
  const forward = nodes.slice(0, loss);
  const producer = new Map(forward.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const convOutputs = forward.filter((n) => n.opType === 'Conv').map((n) => n.outputs[0]);
  const reluOfBatchNorm = forward.filter((n) => n.opType === 'Relu' && producer.get(n.inputs[0])?.opType === 'BatchNormalization').map((n) => n.outputs[0]);
  assert.equal(reluOfBatchNorm.length, 10, 'the stem and each block have one ReLU of a batch norm');
  const read = new Set(nodes.slice(loss).flatMap((n) => n.inputs));
  for (const v of [...convOutputs, ...reluOfBatchNorm]) assert.ok(!read.has(v), `the backward pass reads ${v}`);
});

test('ResNet-20: at most 1.25 MB per image in use at the gradient\'s peak (3.1 GB at batch 2,500), no value over 1.2 stage-1 activations', async () => {
  const images = 32;
  const prefix = path.join(tempDir('lca-memory-'), 'profile');
  const session = await openGradientSession(model(), { provider: 'cpu', threads: 1, profile: prefix });
  const theta = initialParameters(resnet.variables, 1);
  const pixels = Float32Array.from({ length: images * 32 * 32 * 3 }, (_, i) => (i % 251) / 251);
  const labels = BigInt64Array.from({ length: images }, (_, i) => BigInt(i % 10));
  try {
    await session.run({ images: pixels, labels }, parameters.map((s) => theta.subarray(s.offset, s.offset + s.size)));
  } finally {
    await session.release();
  }
  const file = fs.readdirSync(path.dirname(prefix)).find((f) => f.startsWith('profile'));
  assert.ok(file, 'ONNX Runtime wrote no profile');
  type Event = { cat?: string; name: string; args?: { mem_bytes_in_use?: string; output_size?: string } };
  const events = (JSON.parse(fs.readFileSync(path.join(path.dirname(prefix), file), 'utf8')) as Event[]).filter((e) => e.cat === 'Node' && e.args?.mem_bytes_in_use !== undefined);
  const inUse = events.map((e) => Number(e.args!.mem_bytes_in_use));
  assert.ok(inUse.length > 100, `the profile has ${inUse.length} node events with memory figures`);
  // Measured: 1.20 MB per image, in a stage-3 batch norm's backward; 1.34 while each stride-1 filter
  // gradient stacked shifted copies of the whole batch's dY (at a stage-1 one); 1.64 before the ReLU
  // rebuild, 2 before batch norm's backward stopped reading x.
  const perImage = Math.max(...inUse) / images;
  assert.ok(perImage <= 1.25e6, `${(perImage / 1e6).toFixed(2)} MB per image in use at the peak`);
  // The stride-1 filter gradients copy a part of the batch at a time (autodiff/rules-conv.ts): the largest
  // value is now the downsampling conv's input gradient before its trim (33×33 for 32×32: 1.06
  // activations); the whole batch's stacked dY was 3.
  const activation = 16 * 32 * 32 * 4;
  const largest = events.reduce((a, b) => (Number(b.args!.output_size ?? 0) > Number(a.args!.output_size ?? 0) ? b : a));
  const ratio = Number(largest.args!.output_size ?? 0) / images / activation;
  assert.ok(ratio <= 1.2, `${largest.name.replace(/_kernel_time$/, '')} writes ${ratio.toFixed(2)} stage-1 activations per image`);
});
