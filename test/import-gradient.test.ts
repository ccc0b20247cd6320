// The gradient of an imported graph, as `lca compute` gets it: a model file written and decoded, its
// checkpoints and data imported, the engine's reverse-mode pass run on ONNX Runtime. Checked against
// TF.js on the same weights (an MLP and a small conv + batch-norm net built from lca's layer tables,
// written with encodeModel) and against PyTorch's own autograd (fixtures/interop: graphs PyTorch exported).
// Norms: max |g − g_ref| / max |g_ref| over all parameters, and per variable over its own values; both
// ≤ 1e-5. A variable whose true gradient is 0 (a conv bias right before batch norm in training form)
// holds only rounding noise on both sides: there both must be below 1e-5 · max |g_ref| instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend/init.js';
import { forwardGraph } from '../src/engine/forward.js';
import { OrtFullDatasetObjective } from '../src/engine/objective.js';
import { encodeModel } from '../src/engine/onnx/encode.js';
import { decodeModel } from '../src/engine/onnx/decode.js';
import { RandomState } from '../src/data/mt19937.js';
import { importedData, importedGraph } from '../src/interop/imported-run.js';
import { readNpz, writeNpz } from '../src/interop/npz.js';
import { writeSafetensors } from '../src/interop/safetensors.js';
import { toFloat32 } from '../src/interop/tensors.js';
import { runImport } from '../src/jobs/import.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { FullDatasetObjective } from '../src/lca/full-dataset.js';
import { networkOf, sequential } from '../src/models/compose.js';
import { batchNorm, conv2d, dense, flatten, maxPool2, relu } from '../src/models/layers.js';
import { layoutOf, type Network } from '../src/models/network.js';
import { networkNamed } from '../src/models/registry.js';
import { MODEL_NAMES } from '../src/config/schema.js';
import type { Manifest } from '../src/store/manifest.js';
import { readIterates } from '../src/store/weights.js';
import { genericTheta } from './helpers/finite-difference.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-import-gradient-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const ENGINE = { provider: 'cpu', threads: 2 } as const;

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Asserts the gradients agree within 1e-5 relative, overall and per variable (see the header). */
function assertGradientsClose(got: ArrayLike<number>, expected: ArrayLike<number>, slots: readonly { name: string; offset: number; size: number }[]): void {
  const maxAbs = (a: ArrayLike<number>, from: number, to: number) => {
    let m = 0;
    for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]));
    return m;
  };
  const overall = maxAbs(expected, 0, expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
  assert.ok(worst <= 1e-5 * overall, `overall relative error ${worst / overall}`);
  for (const { name, offset, size } of slots) {
    const scale = maxAbs(expected, offset, offset + size);
    if (scale < 1e-5 * overall) {
      assert.ok(maxAbs(got, offset, offset + size) < 1e-5 * overall, `${name}: a zero gradient, but the engine's reaches ${maxAbs(got, offset, offset + size)}`);
      continue;
    }
    let difference = 0;
    for (let i = offset; i < offset + size; i++) difference = Math.max(difference, Math.abs(got[i] - expected[i]));
    assert.ok(difference <= 1e-5 * scale, `${name}: relative error ${difference / scale}`);
  }
}

async function lastTheta(run: string, manifest: Manifest): Promise<Float32Array> {
  let theta: Float32Array = new Float32Array(0);
  for await (const it of readIterates(run, manifest)) theta = it.theta;
  return theta;
}

// A small conv + batch-norm net from the same layer tables as the built-in networks.
const convBn: Network = networkOf({
  name: 'conv-bn', inputShape: [8, 8, 2], numClasses: 4,
  body: sequential([conv2d('conv_1', { size: 3, in: 2, out: 3, activation: 'linear' }), batchNorm('bn_1', 3), relu(), maxPool2(), flatten(),
    dense('fc_1', { in: 48, out: 4, activation: 'linear' })]),
});

test('every built-in network\'s forward graph decodes to what was encoded (float attributes as float32)', () => {
  for (const name of MODEL_NAMES) {
    const net = networkNamed(name);
    const model = forwardGraph(net, genericTheta(net, 3));
    // ONNX stores float attributes as float32: they come back rounded so.
    for (const node of model.graph.nodes) {
      for (const a of Object.values(node.attributes)) {
        if (a.kind === 'float') a.value = Math.fround(a.value);
        if (a.kind === 'floats') a.value = a.value.map(Math.fround);
      }
    }
    assert.deepEqual(decodeModel(encodeModel(model)), model, name);
  }
});

for (const net of [networkNamed('mnist-fc'), convBn]) {
  test(`${net.name}: written as ONNX + safetensors + npz, imported, its engine gradient equals TF.js's`, async () => {
    await initBackend('wasm');
    const dir = path.join(tmp, net.name);
    fs.mkdirSync(dir);
    const { slots } = layoutOf(net.variables);
    const thetas = [genericTheta(net, 5), genericTheta(net, 6)];
    fs.writeFileSync(path.join(dir, 'model.onnx'), encodeModel(forwardGraph(net)));
    thetas.forEach((theta, step) => writeSafetensors(path.join(dir, `step-${step}.safetensors`),
      slots.map((s) => ({ name: s.name, dtype: 'float32', shape: s.shape, bytes: bytesOf(theta.subarray(s.offset, s.offset + s.size)) }))));
    const count = 60;
    const pixels = net.inputShape.reduce((a, b) => a * b, 1);
    const rng = new RandomState(7);
    const x = Float32Array.from({ length: count * pixels }, () => rng.randomDouble());
    const y = BigInt64Array.from({ length: count }, (_, i) => BigInt((i * 7) % net.numClasses));
    writeNpz(path.join(dir, 'train.npz'), [
      { name: 'x', dtype: 'float32', shape: [count, ...net.inputShape], bytes: bytesOf(x) },
      { name: 'y', dtype: 'int64', shape: [count], bytes: bytesOf(y) },
    ]);
    const run = path.join(dir, 'run');
    const manifest = await runImport({
      model: path.join(dir, 'model.onnx'), checkpoints: [path.join(dir, 'step-*.safetensors')], data: path.join(dir, 'train.npz'),
      evalBatchSize: 25, out: run, force: false, projectRoot: process.cwd(), reporter: silentReporter,
    });
    assert.equal(manifest.model.uses_batch_statistics, net.usesBatchStatistics);
    assert.deepEqual(manifest.model.variables, slots.map(({ name, shape, offset, size }) => ({ name, shape, offset, size })));
    const data = importedData(run, manifest, { projectRoot: process.cwd() });
    const ort = await OrtFullDatasetObjective.openGraph(importedGraph(run, manifest), data.train, 25, ENGINE);
    const reference = new FullDatasetObjective(net, data.train, 25);
    try {
      const theta = await lastTheta(run, manifest);
      assert.deepEqual(theta, thetas[1]);
      const got = await ort.lossAndGradient(theta);
      const expected = reference.lossAndGradient(theta);
      assert.ok(Math.abs(got.loss - expected.loss) <= 1e-5 * expected.loss, `loss ${got.loss} vs TF.js ${expected.loss}`);
      assertGradientsClose(got.gradient, expected.gradient, slots);
    } finally {
      reference.dispose();
      await ort.dispose();
    }
  });
}

for (const name of ['mlp', 'convbn']) {
  test(`PyTorch's ${name} export: the imported graph's engine gradient equals torch.autograd's`, async () => {
    const FIX = 'fixtures/interop';
    const run = path.join(tmp, `torch-${name}`);
    const manifest = await runImport({
      model: `${FIX}/torch-${name}.onnx`, checkpoints: [`${FIX}/torch-${name}-step-*.safetensors`], data: `${FIX}/torch-${name}-data.npz`,
      evalBatchSize: 24, out: run, force: false, projectRoot: process.cwd(), reporter: silentReporter,
    });
    const data = importedData(run, manifest, { projectRoot: process.cwd() });
    const ort = await OrtFullDatasetObjective.openGraph(importedGraph(run, manifest), data.train, 24, ENGINE);
    try {
      const got = await ort.lossAndGradient(await lastTheta(run, manifest));
      const reference = new Map(readNpz(`${FIX}/torch-${name}-reference.npz`).map((t) => [t.name, t]));
      const lossSum = new Float64Array(new Uint8Array(reference.get('loss_sum')!.bytes).buffer)[0];
      assert.ok(Math.abs(24 * got.loss - lossSum) <= 1e-5 * lossSum, `Σ loss ${24 * got.loss} vs PyTorch ${lossSum}`);
      const slots = manifest.model.variables;
      const expected = new Float64Array(manifest.model.parameters);
      for (const v of slots) expected.set(toFloat32(reference.get(`grad:${v.name}`)!, 'reference').map((g) => g / 24), v.offset);
      assertGradientsClose(got.gradient, expected, slots);
    } finally {
      await ort.dispose();
    }
  });
}
