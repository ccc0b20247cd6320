// The two paths tied together: a run lca trained, exported (ONNX + safetensors + npz), imported back
// and computed gives the same LCA as the original run, within 1e-5 relative. The original is computed
// on TF.js from the network's own definition, the import on ONNX Runtime from the exported graph, so the
// files, the graph, the decoder and the engine are all on the path (the subset keeps the test short).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lca } from './helpers/cli.js';
import { readLcaBatches } from '../src/store/lca-parts.js';
import { readManifest } from '../src/store/manifest.js';
import { readIterates } from '../src/store/weights.js';
import { readSafetensors } from '../src/interop/safetensors.js';
import { toFloat32 } from '../src/interop/tensors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-export-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every LCA row (per-parameter values concatenated) and its lca_sum. */
async function lcaRows(run: string, rows: number): Promise<{ values: Float64Array[]; sums: number[] }> {
  const manifest = readManifest(run);
  const values: Float64Array[] = [];
  const sums: number[] = [];
  for await (const batch of readLcaBatches(path.join(run, 'lca', 'simpson'), 0, rows - 1)) {
    for (let r = 0; r < batch.numRows; r++) {
      const row = new Float64Array(manifest.model.parameters);
      manifest.model.variables.forEach((v, k) => row.set(batch.vector(k).subarray(r * v.size, (r + 1) * v.size), v.offset));
      values.push(row);
      sums.push(batch.scalar('lca_sum')[r]);
    }
  }
  return { values, sums };
}

test('train → export → import → compute gives the original run\'s LCA (≤ 1e-5 relative)', async (t) => {
  const run = path.join(tmp, 'run');
  const exported = path.join(tmp, 'exported');
  const imported = path.join(tmp, 'imported');
  const ok = (args: string[]) => {
    const result = lca([...args, '--log-level', 'warn']);
    assert.equal(result.code, 0, `lca ${args.join(' ')}: ${result.stderr}`);
  };
  ok(['train', '--config', 'configs/mnist-fc.yaml', '--dataset', 'fashion-mnist-fixture', '--iterations', '2', '--eval-batch-size', '1000', '--backend', 'wasm', '--out', run]);
  ok(['compute', '--run', run, '--method', 'simpson', '--subset', '2000', '--backend', 'wasm']);
  ok(['export', '--run', run, '--out', exported]);
  assert.deepEqual(fs.readdirSync(path.join(exported, 'ckpt')), ['step-00000.safetensors', 'step-00001.safetensors', 'step-00002.safetensors']);
  const manifest = readManifest(run);
  let step = 0;
  for await (const { theta } of readIterates(run, manifest)) {
    const state = readSafetensors(path.join(exported, 'ckpt', `step-0000${step++}.safetensors`));
    assert.deepEqual(state.map((t) => [t.name, t.shape]), manifest.model.variables.map((v) => [v.name, v.shape]));
    manifest.model.variables.forEach((v, k) => assert.deepEqual(toFloat32(state[k], 'x'), theta.subarray(v.offset, v.offset + v.size)));
  }
  ok(['import', '--model', path.join(exported, 'model.onnx'), '--checkpoints', path.join(exported, 'ckpt', 'step-*.safetensors'),
    '--data', path.join(exported, 'train.npz'), '--eval-batch-size', '1000', '--out', imported]);
  ok(['compute', '--run', imported, '--method', 'simpson', '--subset', '2000', '--backend', 'onnxruntime', '--threads', '1']);
  assert.deepEqual(readManifest(imported).model.variables, manifest.model.variables);

  const original = await lcaRows(run, 2);
  const back = await lcaRows(imported, 2);
  let difference = 0;
  let size = 0;
  original.values.forEach((row, t) => {
    assert.ok(Math.abs(back.sums[t] - original.sums[t]) <= 1e-5 * Math.abs(original.sums[t]), `row ${t}: Σ LCA ${back.sums[t]} vs ${original.sums[t]}`);
    for (let i = 0; i < row.length; i++) {
      difference += (back.values[t][i] - row[i]) ** 2;
      size += row[i] ** 2;
    }
  });
  const relative = Math.sqrt(difference / size);
  t.diagnostic(`relative Frobenius difference of the LCA matrices: ${relative.toExponential(2)}`);
  assert.ok(relative <= 1e-5, `relative Frobenius difference of the LCA matrices ${relative}`);
});

test('a built-in dataset as --data: the same training set and fingerprint as the original run', async () => {
  const out = path.join(tmp, 'builtin');
  const exported = path.join(tmp, 'exported');
  const result = lca(['import', '--model', path.join(exported, 'model.onnx'), '--checkpoints', path.join(exported, 'ckpt', 'step-*.safetensors'),
    '--data', 'fashion-mnist-fixture', '--out', out, '--log-level', 'warn']);
  assert.equal(result.code, 0, result.stderr);
  const original = readManifest(path.join(tmp, 'run'));
  const manifest = readManifest(out);
  assert.deepEqual(manifest.dataset, { ...original.dataset, image_shape: [28, 28, 1] });
  assert.equal(manifest.imported?.sources.data, 'fashion-mnist-fixture');
});

test('export refuses an imported run and an existing folder, in one line', () => {
  const notTrained = lca(['export', '--run', 'fixtures', '--out', path.join(tmp, 'x')]);
  assert.equal(notTrained.code, 1);
  assert.match(notTrained.stderr, /lca: fixtures: not a run directory/);
  const again = lca(['export', '--run', path.join(tmp, 'imported'), '--out', path.join(tmp, 'y')]);
  assert.deepEqual([again.code, again.stderr.trim().split('\n').pop()],
    [2, `lca: ${path.join(tmp, 'imported')} was made by \`lca import\`; its own model and checkpoints are what it was imported from`]);
  const exists = lca(['export', '--run', path.join(tmp, 'run'), '--out', tmp]);
  assert.deepEqual([exists.code, exists.stderr.trim().split('\n').pop()], [1, `lca: ${tmp} already exists; pass --force to replace it`]);
});
