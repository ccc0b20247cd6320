// The cluster job files run as shipped: the Slurm script under a simulated 1-based job array, and the
// Kubernetes Indexed Job's shard count matching its completions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { lca, PROJECT_ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-shard-scripts-');

test('scripts/slurm/lca-compute.sbatch: every array task computes its shard', () => {
  const script = path.join(PROJECT_ROOT, 'scripts', 'slurm', 'lca-compute.sbatch');
  assert.match(fs.readFileSync(script, 'utf8'), /^#SBATCH --array=0-7 /m);
  const run = path.join(tmp, 'run');
  const trained = lca(['train', '--config', 'configs/mnist-fc.yaml', '--dataset', 'fashion-mnist-fixture', '--iterations', '4', '--eval-batch-size', '5000', '--backend', 'wasm', '--out', run]);
  assert.equal(trained.code, 0, trained.stderr);
  for (const task of ['1', '2']) { // as under --array=1-2
    const env = { ...process.env, CI: 'true', RUN: run, BACKEND: 'wasm', LCA: `${process.execPath} ${path.join(PROJECT_ROOT, 'bin', 'lca.js')}`,
      SLURM_ARRAY_TASK_ID: task, SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '2' };
    const result = spawnSync('bash', [script], { env, encoding: 'utf8', cwd: tmp });
    assert.equal(result.status, 0, result.stderr);
  }
  assert.deepEqual(fs.readdirSync(path.join(run, 'lca', 'adaptive')), ['part-000000-000001.arrow', 'part-000002-000003.arrow']);
});

test('scripts/k8s/lca-compute-job.yaml: an Indexed Job whose LCA_SHARD_COUNT equals its completions', () => {
  const job = parse(fs.readFileSync(path.join(PROJECT_ROOT, 'scripts', 'k8s', 'lca-compute-job.yaml'), 'utf8'));
  assert.equal(job.kind, 'Job');
  assert.equal(job.spec.completionMode, 'Indexed');
  const [container] = job.spec.template.spec.containers;
  const count = container.env.find((e: { name: string }) => e.name === 'LCA_SHARD_COUNT');
  assert.equal(Number(count.value), job.spec.completions);
  assert.equal(container.args[0], 'compute');
});
