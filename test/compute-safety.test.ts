// `lca compute` against the hostile cases of issue 10 (reliability report 2026-11-29), on one tiny
// fixture run: a truncated part (P1c), parts from other weights (item 4), a diverged iterate (item 6),
// a live writer with other settings (C4), a run replaced under a compute (C8) and the workers of a
// killed parent (C9). Each is refused with a one-line error, or stops; nothing is silently mixed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lca, PROJECT_ROOT } from './helpers/cli.js';
import { guardCompute } from '../src/jobs/compute-guard.js';
import { openRowFile, RowFileWriter } from '../src/store/arrow-rows.js';
import { lcaDir, partName } from '../src/store/lca-parts.js';
import { readManifest } from '../src/store/manifest.js';
import type { ComputeSettings } from '../src/store/part-metadata.js';
import { weightsFingerprint } from '../src/store/weights-fingerprint.js';
import { weightsLayout } from '../src/store/weights.js';
import { pidAlive } from '../src/util/process.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-compute-safety-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const run = path.join(tmp, 'run');
const FLAGS = ['--part-size', '2', '--subset', '1000', '--backend', 'wasm'];
const compute = (where: string, ...args: string[]) => lca(['compute', '--run', where, ...FLAGS, ...args]);

/** A copy of the computed run (rows 0-3 in two parts). */
const copy = (name: string) => {
  const where = path.join(tmp, name);
  fs.cpSync(run, where, { recursive: true });
  return where;
};

/** Rewrites where/weights.arrow with θ_i set to NaN from iterate `from` on: a training that diverged. */
async function diverge(where: string, from: number): Promise<void> {
  const manifest = readManifest(where);
  const file = path.join(where, 'weights.arrow');
  const reader = await openRowFile(file);
  const writer = RowFileWriter.create(`${file}.new`, weightsLayout(manifest.model.variables), Object.fromEntries(reader.metadata));
  for await (const batch of reader.batches()) {
    for (let r = 0; r < batch.numRows; r++) {
      const t = batch.scalar('iteration')[r];
      const theta = manifest.model.variables.flatMap((v, k) => [...batch.vector(k).subarray(r * v.size, (r + 1) * v.size)]);
      await writer.append({ iteration: t, minibatch_loss: batch.scalar('minibatch_loss')[r] }, t >= from ? theta.map(() => Number.NaN) : theta);
    }
  }
  await reader.close();
  await writer.close();
  fs.renameSync(`${file}.new`, file);
}

before(() => {
  const trained = lca(['train', '--config', 'configs/mnist-fc.yaml', '--dataset', 'fashion-mnist-fixture', '--iterations', '8', '--eval-batch-size', '5000', '--backend', 'wasm', '--out', run]);
  assert.equal(trained.code, 0, trained.stderr);
  const computed = compute(run, '--iterations', '0:4');
  assert.equal(computed.code, 0, computed.stderr);
});

test('a truncated part is named by compute, not taken as computed (P1c)', () => {
  const where = copy('truncated');
  const part = path.join(lcaDir(where, 'adaptive'), partName(2, 3));
  fs.truncateSync(part, fs.statSync(part).size - 300);
  const result = compute(where, '--iterations', '0:4');
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`^lca: ${part}: not a readable Arrow IPC file \\(truncated: \\d+ bytes and no footer\\)\\n$`));
});

test('parts computed from another weights.arrow are refused by readers and by compute (item 4, C8)', async () => {
  const where = copy('replaced');
  await diverge(where, 7); // the run was retrained: its weights.arrow is another file
  const sha = (await weightsFingerprint(where)).slice(0, 12);
  const part = path.join(lcaDir(where, 'adaptive'), partName(0, 1));
  for (const result of [lca(['analyze', '--run', where, '--report', 'layers']), lca(['status', '--run', where]), compute(where, '--iterations', '0:6')]) {
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^lca: ${part}: computed from another weights.arrow \\(sha256 [0-9a-f]{12}…, ${where}/weights.arrow is ${sha}…\\); ` +
      'the run was replaced or the part copied from another run: rerun `lca compute --force`\\n$'));
  }
});

test('a diverged iterate stops compute at once with a one-line error, keeping the rows before (item 6)', async () => {
  const where = copy('diverged');
  await diverge(where, 6);
  const result = compute(where, '--force', '--log-level', 'debug');
  assert.equal(result.code, 1);
  const lines = result.stderr.trim().split('\n').filter((l) => l.startsWith('lca:'));
  assert.deepEqual(lines, [`lca: ${where}/weights.arrow: θ_6 holds NaN or Inf weights (the training diverged), so row 5 and after have no LCA; rows 0-4 can be computed with --iterations 0:5`], result.stderr);
  const splits = [...result.stderr.matchAll(/"splits":(\d+)/g)].map((m) => Number(m[1]));
  assert.ok(splits.length >= 4 && splits.every((s) => s < 32), `no row doubled to the cap: ${splits}`);
  assert.deepEqual(fs.readdirSync(lcaDir(where, 'adaptive')).sort(), [partName(0, 1), partName(2, 3)], `finished parts kept; no temporary or lease left\n${result.stderr}`);
  const rest = compute(where, '--iterations', '0:5');
  assert.equal(rest.code, 0, rest.stderr);
});

test('a live compute with other settings holds the folder: a second is refused naming it (C4)', () => {
  const where = copy('held');
  const dir = lcaDir(where, 'adaptive');
  const holder = { host: os.hostname(), pid: process.pid, since: '2026-11-29T17:00:00.000Z', heartbeat: new Date().toISOString(), rows: [4, 7],
    settings: { method: 'adaptive', val: false, tolerance: 1e-3, max_splits: 32, eval_batch_size: 5000, dataset_fingerprint: readManifest(where).dataset.fingerprint,
      per_class: false, save_gradients: false, subset: null, subset_seed: null, store: 'full', every: 1 }, weights_sha256: 'f'.repeat(64) };
  fs.writeFileSync(path.join(dir, `.compute.${os.hostname()}.${process.pid}.lease`), JSON.stringify(holder));
  const result = compute(where, '--iterations', '4:8');
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`^lca: ${dir} is being computed by process ${process.pid} on ${os.hostname()} \\(since 2026-11-29T17:00:00.000Z, heartbeat \\d+ s ago\\) from another weights.arrow`));
  holder.weights_sha256 = fs.readFileSync(path.join(where, 'lca', 'weights.sha256'), 'utf8').match(/[0-9a-f]{64}/)![0];
  fs.writeFileSync(path.join(dir, `.compute.${os.hostname()}.${process.pid}.lease`), JSON.stringify(holder));
  const mixed = compute(where, '--iterations', '4:8');
  assert.equal(mixed.code, 1);
  assert.match(mixed.stderr, /with other settings \(subset null → 1000, subset_seed null → 0\); wait for it, or compute with the same settings\n$/);
});

test('a compute stops before its next part once the run is replaced under it (C8)', async () => {
  const where = copy('swapped');
  const settings = { method: 'adaptive', val: false, tolerance: 1e-3, max_splits: 32, eval_batch_size: 5000, dataset_fingerprint: 'x', per_class: false, save_gradients: false, subset: null, subset_seed: null, store: 'full', every: 1 } satisfies ComputeSettings;
  const claim = { rows: [4, 7] as [number, number], settings, weights_sha256: await weightsFingerprint(where) };
  const dirs = [lcaDir(where, 'adaptive'), path.join(lcaDir(where, 'adaptive'), 'gradients')];
  const guard = guardCompute(where, dirs, claim, { env: {} });
  guard.beforeCommit();
  fs.copyFileSync(path.join(where, 'weights.arrow'), path.join(tmp, 'weights.copy'));
  fs.renameSync(path.join(tmp, 'weights.copy'), path.join(where, 'weights.arrow')); // same bytes, a new file: a retraining
  assert.throws(() => guard.beforeCommit(), /weights.arrow was replaced while computing \(a new training\?\); stopping/);
  guard.release();

  const second = guardCompute(where, dirs, claim, { env: {} });
  fs.renameSync(where, `${where}.old`); // `train --force` moves the run away and puts a new one in its place
  fs.cpSync(`${where}.old`, where, { recursive: true, filter: (f) => !f.endsWith('.lease') });
  assert.throws(() => second.beforeCommit(), /lease .* is gone \(the run was removed or replaced while computing\)/);
  second.release();
});

/** Pids whose parent is `pid`, from /proc. */
const childrenOf = (pid: number): number[] => fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => {
  try {
    const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(name)] : [];
  } catch {
    return [];
  }
});

test('workers of a SIGKILLed `compute --workers 2` stop instead of computing on as orphans (C9)', async () => {
  const where = copy('workers');
  // A tolerance no row meets makes every row take 33 gradients: the workers have seconds of work left when their parent dies.
  const parent = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'lca.js'), 'compute', '--run', where, '--force', '--iterations', '4:8', '--workers', '2',
    '--part-size', '1', '--tolerance', '1e-12', '--backend', 'wasm', '--log-level', 'debug'], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  parent.stderr.on('data', (chunk) => (stderr += chunk));
  const started = Date.now();
  while ((stderr.match(/worker \d\/2: backend/g) ?? []).length < 2) {
    assert.ok(Date.now() - started < 60_000, `workers did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const workers = childrenOf(parent.pid!);
  assert.equal(workers.length, 2);
  const exited = new Promise((resolve) => parent.on('close', resolve));
  parent.kill('SIGKILL');
  await exited;
  const killed = Date.now();
  while (workers.some(pidAlive) && Date.now() - killed < 15_000) await new Promise((resolve) => setTimeout(resolve, 100));
  const orphans = workers.filter(pidAlive);
  orphans.forEach((pid) => process.kill(pid, 'SIGKILL'));
  assert.deepEqual(orphans, [], 'no worker outlives its parent by 15 s');
  assert.deepEqual(fs.readdirSync(lcaDir(where, 'adaptive')).filter((f) => f.startsWith('.')), [], 'the workers removed their own temporaries and leases');
});
