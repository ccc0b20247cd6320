// Per-layer training through the whole pipeline on the fixture: a frozen variable never moves, so its
// LCA is exactly 0.0 at every iteration (original-conventions.md §9), while every other variable's is
// not; a group trains its layer with its own optimizer; init_from starts from another run's θ_0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/validate.js';
import { runTraining } from '../src/jobs/train.js';
import { runCompute } from '../src/jobs/compute.js';
import { silentReporter } from '../src/jobs/reporter.js';
import { lcaDir, readLcaBatches } from '../src/store/lca-parts.js';
import { readManifest } from '../src/store/manifest.js';
import { readIterates } from '../src/store/weights.js';
import { tempDir } from './helpers/temp-dir.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tmp = tempDir('lca-freeze-');
const T = 4;
const config = (values: object) => resolveConfig([{ where: 'test', values: {
  dataset: 'fashion-mnist-fixture', iterations: T, backend: 'wasm', eval_batch_size: 5000, seed: 2, optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 }, ...values,
} }]);
const train = (out: string, values: object) => runTraining({ config: config(values), out, force: false, projectRoot, reporter: silentReporter });

async function iterates(run: string): Promise<Float32Array[]> {
  const all: Float32Array[] = [];
  for await (const it of readIterates(run, readManifest(run))) all.push(it.theta);
  return all;
}

test('frozen variables have LCA exactly 0.0 at every iteration, and every other variable has some non-zero LCA', async () => {
  const baseline = path.join(tmp, 'baseline');
  await train(baseline, {});
  const run = path.join(tmp, 'frozen');
  await train(run, { seed: 9, init_from: baseline, freeze: { variables: ['fc_3/*', 'fc_1/bias'] } });
  const [base0] = await iterates(baseline);
  const thetas = await iterates(run);
  assert.deepEqual(thetas[0], base0, 'init_from: θ_0 is the baseline\'s, not seed 9\'s');

  await runCompute({ run, method: 'first-order', val: false, tolerance: 1e-3, maxSplits: 32, partSize: T, backend: 'wasm', force: false, projectRoot, reporter: silentReporter });
  const variables = readManifest(run).model.variables;
  const frozen = new Set(['fc_3/kernel', 'fc_3/bias', 'fc_1/bias']);
  let rows = 0;
  const nonZero = new Map(variables.map((v) => [v.name, 0]));
  for await (const batch of readLcaBatches(lcaDir(run, 'first-order'), 0, T - 1)) {
    variables.forEach((v, k) => {
      const values = batch.vector(k);
      for (let i = 0; i < batch.numRows * v.size; i++) {
        if (frozen.has(v.name)) assert.ok(values[i] === 0, `${v.name}[${i % v.size}] LCA ${values[i]}`);
        else if (values[i] !== 0) nonZero.set(v.name, nonZero.get(v.name)! + 1);
      }
    });
    rows += batch.numRows;
  }
  assert.equal(rows, T);
  for (const [name, count] of nonZero) if (!frozen.has(name)) assert.ok(count > 0, `${name} has no non-zero LCA`);
  for (const v of variables.filter((v) => frozen.has(v.name))) {
    for (const theta of thetas) assert.deepEqual(theta.subarray(v.offset, v.offset + v.size), base0.subarray(v.offset, v.offset + v.size));
  }
});

test('a group with a tiny lr barely moves its layer, and freezing from an iteration stops it there', async () => {
  const run = path.join(tmp, 'group');
  await train(run, { groups: [{ variables: ['fc_3'], lr: 1e-6 }], freeze: { variables: ['fc_1/*'], from_iteration: 2 } });
  const thetas = await iterates(run);
  const { variables } = readManifest(run).model;
  const slice = (t: number, name: string) => { const v = variables.find((x) => x.name === name)!; return thetas[t].subarray(v.offset, v.offset + v.size); };
  const moved = (a: Float32Array, b: Float32Array) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
  assert.ok(moved(slice(2, 'fc_1/kernel'), slice(0, 'fc_1/kernel')) > 0, 'fc_1 trains before iteration 2');
  assert.deepEqual(slice(T, 'fc_1/kernel'), slice(2, 'fc_1/kernel'), 'fc_1 frozen from iteration 2');
  assert.ok(moved(slice(2, 'fc_3/kernel'), slice(0, 'fc_3/kernel')) < 1e-5, 'the group lr is 1e-6');
  assert.ok(moved(slice(T, 'fc_3/kernel'), slice(2, 'fc_3/kernel')) > 1e-4, 'once freezing starts the main optimizer trains fc_3 ("freeze wins", §9)');
});
