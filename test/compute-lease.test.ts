// Leases on a method folder (issue 10, item 5): writers with the same settings and weights and disjoint
// rows (shards, on any host) share it; other settings, other weights or overlapping rows are refused
// naming the holder's host, pid and start; a dead holder here, or a stale one elsewhere, is no holder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireComputeLease, assertNoWriters, type ComputeClaim } from '../src/store/compute-lease.js';
import { LEASE_TIMEOUT_MS } from '../src/store/lease.js';
import type { ComputeSettings } from '../src/store/part-metadata.js';

const settings: ComputeSettings = { method: 'adaptive', val: false, tolerance: 1e-3, max_splits: 32, eval_batch_size: 1000, dataset_fingerprint: 'd', per_class: false, save_gradients: false, subset: null, subset_seed: null, store: 'full', every: 1 };
const claim = (rows: [number, number], changes: Partial<ComputeSettings> = {}, weights = 'a'.repeat(64)): ComputeClaim => ({ rows, settings: { ...settings, ...changes }, weights_sha256: weights });

/** A lease file as another writer would leave it. */
function plant(dir: string, host: string, pid: number, c: ComputeClaim, heartbeatAgo = 0, since = '2026-01-01T00:00:00.000Z'): void {
  fs.mkdirSync(dir, { recursive: true });
  const record = { host, pid, since, heartbeat: new Date(Date.now() - heartbeatAgo).toISOString(), ...c };
  fs.writeFileSync(path.join(dir, `.compute.${host}.${pid}.lease`), JSON.stringify(record));
}

function withDir(body: (dir: string) => void): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-lease-'));
  try {
    body(path.join(tmp, 'lca', 'adaptive'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const here = os.hostname();
const alive = () => true;

test('a live writer with other settings is refused, naming its pid, host and start (scenario C4)', () => withDir((dir) => {
  plant(dir, here, 4242, claim([0, 19], { subset: 5000, subset_seed: 0 }));
  assert.throws(() => acquireComputeLease(dir, claim([20, 39]), { alive }),
    new RegExp(`is being computed by process 4242 on ${here} \\(since 2026-01-01T00:00:00.000Z, heartbeat \\d+ s ago\\) with other settings \\(subset 5000 → null, subset_seed 0 → null\\)`));
  assert.deepEqual(fs.readdirSync(dir), [`.compute.${here}.4242.lease`], 'the refused writer left no lease behind');
}));

test('overlapping rows are refused; same settings and disjoint rows (shards) share the folder (C1, C2)', () => withDir((dir) => {
  plant(dir, here, 4242, claim([0, 19]));
  assert.throws(() => acquireComputeLease(dir, claim([10, 29]), { alive }), /rows 10-19 of .* are being computed by process 4242/);
  const lease = acquireComputeLease(dir, claim([20, 39]), { alive });
  assert.equal(fs.readdirSync(dir).length, 2);
  lease.release();
  assert.deepEqual(fs.readdirSync(dir), [`.compute.${here}.4242.lease`]);
}));

test('a live writer from another weights.arrow is refused (C8: a run replaced under a compute)', () => withDir((dir) => {
  plant(dir, here, 4242, claim([0, 9], {}, 'b'.repeat(64)));
  assert.throws(() => acquireComputeLease(dir, claim([20, 29]), { alive }), /from another weights.arrow \(sha256 bbbbbbbbbbbb…, this run's is aaaaaaaaaaaa…\)/);
}));

test('a dead holder on this host is removed; another host counts until its heartbeat is stale', () => withDir((dir) => {
  plant(dir, here, 4242, claim([0, 39], { val: true }));
  acquireComputeLease(dir, claim([0, 39]), { alive: () => false }).release();
  assert.deepEqual(fs.readdirSync(dir), [], 'the dead holder\'s lease is gone');

  plant(dir, 'node-17', 99, claim([0, 39], { val: true }), 60_000);
  assert.throws(() => acquireComputeLease(dir, claim([0, 39])), /process 99 on node-17 .* \(a lease from another host counts until its heartbeat is 10 min old\)/);
  assert.throws(() => assertNoWriters(dir, '--force'), /--force: .* is being computed by process 99 on node-17/);
  plant(dir, 'node-17', 99, claim([0, 39], { val: true }), LEASE_TIMEOUT_MS + 1000);
  acquireComputeLease(dir, claim([0, 39])).release();
  assertNoWriters(dir, '--force');
  plant(dir, 'node-17', 99, claim([0, 39], { val: true }), 60_000);
  acquireComputeLease(dir, claim([0, 39]), { breakLock: true }).release();
  assert.deepEqual(fs.readdirSync(dir), [], '--break-lock removed the live-looking foreign lease');
}));

test('of two writers that start together, the later gives way and the earlier proceeds', () => withDir((dir) => {
  // The other wrote its lease after ours would have been taken: it sees ours and stops, we go on.
  plant(dir, here, 4242, claim([0, 39], { tolerance: 0.01 }), 0, '2999-01-01T00:00:00.000Z');
  const lease = acquireComputeLease(dir, claim([0, 39]), { alive });
  lease.release();
}));

test('a lease whose file vanished (the run was replaced) stops the writer before its next part', () => withDir((dir) => {
  const lease = acquireComputeLease(dir, claim([0, 9]));
  lease.verify();
  fs.rmSync(path.dirname(dir), { recursive: true });
  assert.throws(() => lease.verify(), /lease .* is gone \(the run was removed or replaced while computing\)/);
  assert.throws(() => lease.heartbeat(), /is gone/, 'and it stays lost');
}));
