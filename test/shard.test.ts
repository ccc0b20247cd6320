// Sharded and multi-process compute through the real binary: n shard processes writing into one run
// directory at once, and --workers, give the single-process matrix bit for bit, at one extra
// gradient per shard; a failing worker and bad shard values are reported clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { lca, PROJECT_ROOT } from './helpers/cli.js';
import { lcaDir, lcaLayout, readLcaBatches } from '../src/store/lca-parts.js';
import { readManifest } from '../src/store/manifest.js';
import { tempDir } from './helpers/temp-dir.js';

const tmp = tempDir('lca-shard-');
const run = path.join(tmp, 'run');
const T = 6;
// --subset keeps each gradient cheap: sharding is about which rows go where, not the objective.
const computeArgs = (where: string, ...more: string[]) => ['compute', '--run', where, '--part-size', '2', '--subset', '1000', '--backend', 'onnxruntime', ...more];
const copyOf = (name: string) => {
  const where = path.join(tmp, name);
  fs.cpSync(run, where, { recursive: true, filter: (from) => path.relative(run, from).split(path.sep)[0] !== 'lca' });
  return where;
};

function lcaAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'lca.js'), ...args], { env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

/** Every column of rows 0 … T−1 as raw bytes, whatever the part boundaries. */
async function matrixBytes(where: string): Promise<Map<string, Buffer>> {
  const manifest = readManifest(where);
  const layout = lcaLayout(manifest.model.variables, false);
  const chunks = new Map<string, Buffer[]>();
  const add = (name: string, view: ArrayBufferView) => chunks.set(name, [...(chunks.get(name) ?? []), Buffer.from(view.buffer, view.byteOffset, view.byteLength)]);
  for await (const batch of readLcaBatches(lcaDir(where, 'adaptive'), 0, T - 1)) {
    for (const c of layout.scalars) add(c.name, batch.scalar(c.name).subarray(0, batch.numRows)); // buffers may be padded
    layout.vectors.forEach((c, k) => add(c.name, batch.vector(k).subarray(0, batch.numRows * c.size)));
  }
  return new Map([...chunks].map(([name, parts]) => [name, Buffer.concat(parts)]));
}

const gradientsIn = (stderr: string) => stderr.split('\n').filter((l) => l.includes('"computed"')).reduce((n, l) => n + (JSON.parse(l).gradients as number), 0);

let reference: Map<string, Buffer>;
let referenceGradients = 0;

test('single process: the reference', async () => {
  const trained = lca(['train', '--config', 'configs/mnist-fc.yaml', '--dataset', 'fashion-mnist-fixture', '--iterations', String(T), '--eval-batch-size', '5000', '--backend', 'onnxruntime', '--out', run]);
  assert.equal(trained.code, 0, trained.stderr);
  const single = lca(computeArgs(run), { env: { LCA_PROGRESS_SECONDS: '0' } });
  assert.equal(single.code, 0, single.stderr);
  reference = await matrixBytes(run);
  referenceGradients = gradientsIn(single.stderr);
  // Progress reaches a stderr that is not a terminal (issue 13 item 1): here a JSON line per gradient.
  const progress = single.stderr.split('\n').filter((l) => l.includes('"progress"')).map((l) => JSON.parse(l));
  assert.ok(progress.length >= referenceGradients, `${progress.length} progress lines for ${referenceGradients} gradients`);
  const last = progress.at(-1);
  assert.deepEqual([last.done, last.total, last.gradients, last.eta_s], [T, T, referenceGradients, 0]);
  assert.ok(progress.every((p) => p.total === T && p.s_per_gradient > 0));
  const inRows = progress.filter((p) => p.row !== undefined); // the gradients at θ_0 and θ_1 come before row 0 starts
  assert.deepEqual([...new Set(inRows.map((p) => p.row))], [0, 1, 2, 3, 4, 5]);
  assert.ok(inRows.every((p) => p.splits >= 2));
  assert.match(last.msg, /^computing LCA \(adaptive\): 6\/6 iterations, row 5 at \d+ splits, [\d.]+ s\/gradient, [\d.]+ s per iteration, ETA 0s$/);
});

test('four shards at once, one from the Slurm environment, equal one process bit for bit', async () => {
  const where = copyOf('sharded');
  const results = await Promise.all([
    lcaAsync(computeArgs(where, '--shard', '0/4')),
    lcaAsync(computeArgs(where, '--shard', '1/4')),
    lcaAsync(computeArgs(where, '--shard', '2/4')),
    lcaAsync(computeArgs(where), { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' }),
  ]);
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  assert.match(results[1].stderr, /shard 1\/4: rows 1-2 of 0-5/);
  assert.match(results[3].stderr, /shard 3\/4 \(from SLURM_ARRAY_TASK_ID=4 \(min 1, step 1, count 4\)\): rows 4-5 of 0-5/);
  assert.deepEqual(fs.readdirSync(lcaDir(where, 'adaptive')).sort(),
    ['part-000000-000000.arrow', 'part-000001-000002.arrow', 'part-000003-000003.arrow', 'part-000004-000005.arrow']);
  const sharded = await matrixBytes(where);
  assert.deepEqual([...sharded.keys()], [...reference.keys()]);
  for (const [name, bytes] of reference) assert.ok(sharded.get(name)!.equals(bytes), `${name} differs`);
  // The overhead: each shard after the first recomputes the gradient at its first endpoint.
  assert.equal(results.reduce((n, r) => n + gradientsIn(r.stderr), 0), referenceGradients + 3);
});

test('--workers 2 splits the rows between two processes and equals one process bit for bit', async () => {
  const where = copyOf('workers');
  const result = lca(computeArgs(where, '--workers', '2'));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /"msg":"worker 0\/2: shard 0\/2: rows 0-2 of 0-5"/);
  assert.match(result.stderr, /"msg":"worker 1\/2: shard 1\/2: rows 3-5 of 0-5"/);
  assert.match(result.stderr, /computed 6 iterations with 2 workers in/);
  const computed = await matrixBytes(where);
  for (const [name, bytes] of reference) assert.ok(computed.get(name)!.equals(bytes), `${name} differs`);
  const again = lca(computeArgs(where, '--workers', '9'));
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /6 workers for rows 0-5 \(0 to compute\); only 6 rows, so not 9/);
});

test('a failing worker fails the command, naming the worker and its error', () => {
  const where = copyOf('broken');
  const weights = path.join(where, 'weights.arrow');
  fs.truncateSync(weights, 1000);
  const result = lca(computeArgs(where, '--workers', '2'));
  assert.equal(result.code, 1);
  const last = result.stderr.trim().split('\n').at(-1)!;
  assert.match(last, /^lca: worker 0\/2 \(rows 0-2\) exited with code 1: lca: .*weights\.arrow: .*; worker 1\/2 \(rows 3-5\) exited with code 1: .* \(finished parts are kept; rerun to resume\)$/);
});

const usage: [string, string[], RegExp][] = [
  ['k not below n', ['--shard', '4/4'], /lca: --shard 4\/4: shards are numbered from 0, so k must be below n = 4/],
  ['not k/n', ['--shard', 'half'], /lca: --shard half: expected k\/n/],
  ['--force with a shard', ['--shard', '1/2', '--force'], /--force with a shard \(--shard 1\/2\) would delete the other shards' parts/],
  ['a Kubernetes index without a count', [], /JOB_COMPLETION_INDEX is set .* but LCA_SHARD_COUNT is not/],
];
for (const [what, args, message] of usage) {
  test(`usage error, exit 2: ${what}`, () => {
    const result = lca(computeArgs(run, ...args), { env: what.includes('Kubernetes') ? { JOB_COMPLETION_INDEX: '0' } : {} });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
  });
}
