// The owner lease of a folder (issue 10, item 9): a holder on another host is live until its heartbeat
// is LEASE_TIMEOUT_MS old or the user breaks the lock; on this host, while its pid runs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExistsError, LcaError } from '../src/errors.js';
import { acquireLease, HEARTBEAT_MS, LEASE_TIMEOUT_MS, readHolder } from '../src/store/lease.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lca-lease-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const owner = (name: string, holder: object | string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof holder === 'string' ? holder : JSON.stringify(holder));
  return file;
};
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const held = (pattern: RegExp) => (e: unknown) => e instanceof ExistsError && pattern.test(e.message);

test('a foreign holder with a fresh heartbeat is live: refused, naming its host, unless --break-lock', () => {
  const file = owner('foreign-live', { host: 'other-node-7', pid: 4242, heartbeat: ago(60_000) });
  assert.throws(() => acquireLease(file, 'RUN.partial'),
    held(/^RUN\.partial is being written by process 4242 on host other-node-7 \(heartbeat 60 s ago\); .*--break-lock takes it over now/));
  const lease = acquireLease(file, 'RUN.partial', { breakLock: true });
  assert.equal(readHolder(file)?.pid, process.pid);
  lease.release();
  assert.ok(!fs.existsSync(file));
});

test('a foreign holder whose heartbeat is older than the timeout is stale and taken over', () => {
  const file = owner('foreign-stale', { host: 'other-node-7', pid: 4242, heartbeat: ago(LEASE_TIMEOUT_MS + 1000) });
  const lease = acquireLease(file, 'RUN.partial');
  assert.equal(readHolder(file)?.host, os.hostname());
  lease.release();
});

test('on this host a live pid holds the lease and a dead one does not; old "host pid" owner files still count', () => {
  const live = owner('local-live', `${os.hostname()} ${process.ppid}\n`);
  assert.throws(() => acquireLease(live, 'X'), held(/^X is being written by process \d+ \(heartbeat \d+ s ago\); wait for it or stop it first$/));
  const dead = owner('local-dead', { host: os.hostname(), pid: 999_999_999, heartbeat: ago(0) });
  acquireLease(dead, 'X').release();
  const oldForeign = owner('old-foreign', 'other-node-7 12\n'); // no heartbeat: the file's mtime stands in
  assert.throws(() => acquireLease(oldForeign, 'X'), held(/on host other-node-7/));
});

test('the heartbeat is rewritten as time passes, and a holder that lost its lease is told so', () => {
  let now = Date.now();
  const file = path.join(tmp, 'beat');
  const lease = acquireLease(file, 'RUN.partial', { now: () => now });
  const first = readHolder(file)!.heartbeat;
  now += HEARTBEAT_MS + 1000;
  lease.heartbeat();
  assert.equal(readHolder(file)!.heartbeat, first + HEARTBEAT_MS + 1000);
  owner('beat', { host: 'other-node-7', pid: 1, heartbeat: ago(0) }); // another host broke the lock
  now += HEARTBEAT_MS + 1000;
  assert.throws(() => lease.heartbeat(), (e: unknown) => e instanceof LcaError && /lost the lease to process 1 on host other-node-7/.test(e.message));
  lease.release();
  assert.ok(fs.existsSync(file), 'release must not remove the new holder\'s file');
});
