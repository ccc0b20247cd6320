// Who is computing a method folder now: each `lca compute` (a shard, a worker, on any host of a shared
// filesystem) holds a lease file `lca/<method>/.compute.<host>.<pid>.lease` naming its rows, settings and
// weights fingerprint, with a heartbeat (timeouts shared with store/lease.ts). Writers with the same settings and
// disjoint rows (shards) run side by side; anything else is refused naming the holder. Format: docs/formats.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExistsError, LcaError } from '../errors.js';
import { pidAlive, thisHost } from '../util/process.js';
import { HEARTBEAT_MS, isLive as holderLive, isOurs as holderIsOurs, LEASE_TIMEOUT_MS, type Holder, type LeaseOptions } from './lease.js';
import { settingsDifference, shortHash, type ComputeSettings } from './part-metadata.js';
import { formatRanges, type Range } from './ranges.js';

const LEASE_PATTERN = /^\.compute\.(.+)\.(\d+)\.lease$/;

export interface ComputeClaim {
  rows: Range;
  settings: ComputeSettings;
  weights_sha256: string;
}

interface LeaseRecord extends ComputeClaim {
  host: string;
  pid: number;
  since: string; // ISO time the lease was taken
  heartbeat: string; // ISO time of the last renewal
}

export interface ComputeLease {
  /** Renews the heartbeat when HEARTBEAT_MS have passed; an LcaError when the lease file is gone (the folder was removed or replaced). */
  heartbeat(): void;
  /** Like heartbeat, at once: call right before a part is renamed into place. */
  verify(): void;
  release(): void;
}

function readLeases(dir: string): { file: string; record: LeaseRecord }[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((name) => LEASE_PATTERN.test(name)).flatMap((name) => {
    const file = path.join(dir, name);
    try {
      return [{ file, record: JSON.parse(fs.readFileSync(file, 'utf8')) as LeaseRecord }];
    } catch {
      return []; // removed meanwhile, or caught mid-write (its holder rewrites it whole): not a claim
    }
  });
}

// Liveness as for a training's owner lease (store/lease.ts): by pid on this host, by heartbeat age on another.
const holder = (r: LeaseRecord): Holder => ({ host: r.host, pid: r.pid, heartbeat: Date.parse(r.heartbeat) });
const isOurs = (r: LeaseRecord) => holderIsOurs(holder(r));
const isLive = (r: LeaseRecord, now: number, alive: (pid: number) => boolean) => holderLive(holder(r), now, alive);

const describe = (r: LeaseRecord, now: number) =>
  `process ${r.pid} on ${r.host} (since ${r.since}, heartbeat ${Math.max(0, Math.round((now - Date.parse(r.heartbeat)) / 1000))} s ago)`;

const STALE_NOTE = `a lease from another host counts until its heartbeat is ${LEASE_TIMEOUT_MS / 60_000} min old`;

/** Why a live holder's claim and ours cannot both proceed, or null when they can (same settings and weights, disjoint rows). */
function conflict(dir: string, theirs: LeaseRecord, ours: ComputeClaim, now: number): string | null {
  const who = describe(theirs, now);
  if (theirs.weights_sha256 !== ours.weights_sha256) {
    return `${dir} is being computed by ${who} from another weights.arrow (sha256 ${shortHash(theirs.weights_sha256)}, this run's is ${shortHash(ours.weights_sha256)}); wait for it or stop it first`;
  }
  const difference = settingsDifference(theirs.settings, ours.settings);
  if (difference) return `${dir} is being computed by ${who} with other settings (${difference}); wait for it, or compute with the same settings`;
  const [a, b] = theirs.rows;
  if (a <= ours.rows[1] && ours.rows[0] <= b) {
    return `rows ${formatRanges([[Math.max(a, ours.rows[0]), Math.min(b, ours.rows[1])]])} of ${dir} are being computed by ${who}; wait for it, or compute other rows (--iterations, --shard)`;
  }
  return null;
}

/** Refuses (ExistsError naming the holder) when a live writer other than us holds a lease in `dir`. */
export function assertNoWriters(dir: string, what: string, options: LeaseOptions = {}): void {
  const now = (options.now ?? Date.now)();
  const live = readLeases(dir).find(({ record }) => !isOurs(record) && isLive(record, now, options.alive ?? pidAlive));
  if (live) throw new ExistsError(`${what}: ${dir} is being computed by ${describe(live.record, now)}; wait for it or stop it first (${STALE_NOTE})`);
}

/**
 * Takes a lease on `dir` for `claim`. Two writers that start together both write their lease and then
 * look: of two conflicting leases the later one (by `since`, then host and pid) gives way, so exactly
 * one proceeds. Leases of dead processes on this host are removed.
 */
export function acquireComputeLease(dir: string, claim: ComputeClaim, options: LeaseOptions = {}): ComputeLease {
  const now = options.now ?? Date.now;
  const alive = options.alive ?? pidAlive;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `.compute.${thisHost()}.${process.pid}.lease`);
  const since = new Date(now()).toISOString();
  const write = (t: number) => {
    const record: LeaseRecord = { host: os.hostname(), pid: process.pid, since, heartbeat: new Date(t).toISOString(), ...claim };
    const temporary = `${file}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(record) + '\n');
    fs.renameSync(temporary, file); // whole or not at all, for readers on other hosts
  };
  write(now());
  const order = (r: LeaseRecord) => `${r.since} ${r.host} ${String(r.pid).padStart(10, '0')}`;
  const mine = order({ since, host: os.hostname(), pid: process.pid } as LeaseRecord);
  for (const { file: other, record } of readLeases(dir)) {
    if (isOurs(record)) continue;
    if (options.breakLock || (record.host === os.hostname() && !alive(record.pid))) {
      fs.rmSync(other, { force: true });
      continue;
    }
    if (!isLive(record, now(), alive)) continue;
    const why = conflict(dir, record, claim, now());
    if (why && order(record) < mine) {
      fs.rmSync(file, { force: true });
      throw new ExistsError(why + (record.host === os.hostname() ? '' : ` (${STALE_NOTE})`));
    }
  }
  let last = now();
  let held = true;
  let lost: LcaError | null = null;
  const verify = () => {
    if (lost) throw lost;
    let record: LeaseRecord | null = null;
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8')) as LeaseRecord;
    } catch {
      // gone: below
    }
    if (!record || !isOurs(record)) {
      held = false;
      lost = new LcaError(`${dir}: this compute's lease ${path.basename(file)} is gone (the run was removed or replaced while computing); stopping, so that no part lands in the wrong run`);
      throw lost;
    }
    last = now();
    write(last);
  };
  return {
    heartbeat() {
      if (lost || now() - last >= HEARTBEAT_MS) verify();
    },
    verify,
    release() {
      if (!held) return;
      held = false;
      fs.rmSync(file, { force: true });
    },
  };
}
