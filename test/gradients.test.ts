// `lca compute --save-gradients`: ∇L(θ_t) at every iterate t = 0 … T in gradient parts next to the LCA
// parts; first-order LCA is exactly that gradient times Δθ; `analyze --report oscillations` counts its sign changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lca } from './helpers/cli.js';
import { runAnalysis } from '../src/jobs/analyze.js';
import { gradientsDir, readGradientBatches } from '../src/store/gradients.js';
import { lcaDir, readLcaBatches } from '../src/store/lca-parts.js';
import { readManifest } from '../src/store/manifest.js';
import { readIterates } from '../src/store/weights.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-gradients-');
const run = path.join(tmp, 'run');
const T = 5;

async function gradientRows(): Promise<{ iteration: number; loss: number; gradient: Float32Array }[]> {
  const manifest = readManifest(run);
  const rows = [];
  for await (const batch of readGradientBatches(gradientsDir(run, 'first-order'), 0, T)) {
    for (let r = 0; r < batch.numRows; r++) {
      const gradient = new Float32Array(manifest.model.parameters);
      manifest.model.variables.forEach((v, k) => gradient.set(batch.vector(k).subarray(r * v.size, (r + 1) * v.size), v.offset));
      rows.push({ iteration: batch.scalar('iteration')[r], loss: batch.scalar('loss')[r], gradient });
    }
  }
  return rows;
}

test('gradients at θ_0 … θ_T are saved in parts beside the LCA parts, and first-order LCA = g_t · Δθ_t', async () => {
  const trained = lca(['train', '--config', 'configs/mnist-fc.yaml', '--dataset', 'fashion-mnist-fixture', '--iterations', String(T), '--eval-batch-size', '5000', '--backend', 'wasm', '--out', run]);
  assert.equal(trained.code, 0, trained.stderr);
  const computed = lca(['compute', '--run', run, '--method', 'first-order', '--save-gradients', '--part-size', '2', '--backend', 'wasm']);
  assert.equal(computed.code, 0, computed.stderr);
  assert.deepEqual(fs.readdirSync(gradientsDir(run, 'first-order')).sort(), ['part-000000-000001.arrow', 'part-000002-000003.arrow', 'part-000004-000005.arrow']);

  const gradients = await gradientRows();
  assert.deepEqual(gradients.map((g) => g.iteration), [0, 1, 2, 3, 4, 5]);
  const manifest = readManifest(run);
  const thetas: Float32Array[] = [];
  for await (const iterate of readIterates(run, manifest, 0, T)) thetas.push(iterate.theta);
  let worst = 0;
  for await (const batch of readLcaBatches(lcaDir(run, 'first-order'), 0, T - 1)) {
    for (let r = 0; r < batch.numRows; r++) {
      const t = batch.scalar('iteration')[r];
      assert.equal(gradients[t].loss, batch.scalar('loss')[r], 'the saved loss is the row\'s L(θ_t)');
      assert.equal(gradients[t + 1].loss, batch.scalar('next_loss')[r]);
      manifest.model.variables.forEach((v, k) => {
        const values = batch.vector(k).subarray(r * v.size, (r + 1) * v.size);
        for (let i = 0; i < v.size; i++) {
          const j = v.offset + i;
          const expected = gradients[t].gradient[j] * (thetas[t + 1][j] - thetas[t][j]);
          worst = Math.max(worst, Math.abs(values[i] - expected) / Math.max(Math.abs(expected), 1e-30));
        }
      });
    }
  }
  assert.ok(worst < 1e-5, `first-order LCA vs saved g·Δθ: relative ${worst}`); // float32 g and float32 LCA
});

test('oscillations report gradient sign changes, counted by hand from the saved gradients', async () => {
  const gradients = (await gradientRows()).slice(0, T); // the rows' starting iterates θ_0 … θ_{T−1}
  let changes = 0;
  for (let t = 1; t < gradients.length; t++) {
    for (let j = 0; j < gradients[t].gradient.length; j++) changes += +(gradients[t - 1].gradient[j] * gradients[t].gradient[j] < 0);
  }
  const report = await runAnalysis({ run, report: 'oscillations' });
  const K = readManifest(run).model.parameters;
  assert.equal(report.summary.gradient_sign_changes, 'from saved gradients');
  assert.ok(Math.abs((report.summary.gradient_changes_per_parameter as number) - changes / K) < 1e-12);
  assert.ok(changes > 0);
  const layers = report.tables.find((t) => t.name === 'layers')!;
  assert.ok(layers.columns.includes('gradient_iterations_per_change'));
});

test('a lost part is recomputed with its gradients, bit for bit', () => {
  const dir = gradientsDir(run, 'first-order');
  const before = fs.readFileSync(path.join(dir, 'part-000002-000003.arrow'));
  fs.rmSync(path.join(lcaDir(run, 'first-order'), 'part-000002-000003.arrow'));
  fs.rmSync(path.join(dir, 'part-000002-000003.arrow'));
  const resumed = lca(['compute', '--run', run, '--method', 'first-order', '--save-gradients', '--part-size', '2', '--backend', 'wasm']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok(fs.readFileSync(path.join(dir, 'part-000002-000003.arrow')).equals(before));
  const without = lca(['compute', '--run', run, '--method', 'first-order', '--part-size', '2', '--backend', 'wasm']);
  assert.equal(without.code, 1, 'saving gradients is a setting every part must share');
  assert.match(without.stderr, /save_gradients true → false/);
});
