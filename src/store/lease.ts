// A lease on a folder: an owner file naming the holder's host and pid and a heartbeat time that the
// holder renews while it works. On this host a holder is live while its pid runs; on another host (a
// shared filesystem under Slurm or k8s) its pid cannot be checked, so it is live until its heartbeat is
// LEASE_TIMEOUT_MS old, unless the user breaks the lock (`--break-lock`).
import fs from 'node:fs';
import os from 'node:os';
import { ExistsError, LcaError } from '../errors.js';
import { pidAlive } from '../util/process.js';

/** How often a holder rewrites its heartbeat, and how old a foreign heartbeat must be to count as dead. */
export const HEARTBEAT_MS = 30_000;
export const LEASE_TIMEOUT_MS = 10 * 60_000;

export interface Holder {
  host: string;
  pid: number;
  heartbeat: number; // ms since the epoch
}

export interface Lease {
  file: string;
  /** Rewrites the heartbeat when HEARTBEAT_MS have passed since the last one; throws if another process took the lease. */
  heartbeat(): void;
  /** Removes the owner file (if it is still ours) and stops the heartbeat. */
  release(): void;
}

export interface LeaseOptions {
  /** Take the lease even from a live holder (the user's `--break-lock`). */
  breakLock?: boolean;
  now?: () => number;
  alive?: (pid: number) => boolean;
}

/**
 * The holder an owner file names, or null when there is none. Older owner files hold `host pid` only,
 * and a file caught mid-write may not parse: then the file's mtime stands in for the heartbeat.
 */
export function readHolder(file: string): Holder | null {
  let text: string;
  let mtime: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtime = fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as Partial<{ host: unknown; pid: unknown; heartbeat: unknown }>;
    const heartbeat = typeof parsed.heartbeat === 'string' ? Date.parse(parsed.heartbeat) : Number.NaN;
    if (typeof parsed.host === 'string' && Number.isInteger(parsed.pid) && Number.isFinite(heartbeat)) {
      return { host: parsed.host, pid: parsed.pid as number, heartbeat };
    }
  } catch {
    // not JSON: the older `host pid` form, handled below
  }
  const [host = '?', pid = '0'] = text.trim().split(/\s+/);
  return { host, pid: Number(pid) || 0, heartbeat: mtime };
}

export const isOurs = (h: Holder): boolean => h.host === os.hostname() && h.pid === process.pid;

/** Whether a holder still counts: by its pid on this host, by its heartbeat's age on another. */
export function isLive(h: Holder, now = Date.now(), alive: (pid: number) => boolean = pidAlive): boolean {
  if (isOurs(h)) return false;
  if (h.host === os.hostname()) return h.pid > 0 && alive(h.pid);
  return now - h.heartbeat < LEASE_TIMEOUT_MS;
}

export function describeHolder(h: Holder, now = Date.now()): string {
  const where = h.host === os.hostname() ? '' : ` on host ${h.host}`;
  return `process ${h.pid}${where} (heartbeat ${Math.max(0, Math.round((now - h.heartbeat) / 1000))} s ago)`;
}

/** Throws an ExistsError naming the holder of `file` when it is live (and the user did not break the lock). */
export function assertNotHeld(file: string, what: string, options: LeaseOptions = {}): void {
  const now = (options.now ?? Date.now)();
  const holder = readHolder(file);
  if (!holder || options.breakLock || !isLive(holder, now, options.alive)) return;
  const foreign = holder.host !== os.hostname();
  throw new ExistsError(`${what} is being written by ${describeHolder(holder, now)}; wait for it or stop it first` +
    (foreign ? ` (a lease from another host goes stale ${LEASE_TIMEOUT_MS / 60_000} min after its last heartbeat; --break-lock takes it over now)` : ''));
}

const ownerText = (now: number) => JSON.stringify({ host: os.hostname(), pid: process.pid, heartbeat: new Date(now).toISOString() }) + '\n';

/**
 * Takes the lease `file` for `what` (a folder named in errors). A live holder is an ExistsError naming
 * it; a dead or stale one is replaced. Creation is exclusive, so two takers cannot both win a free lease.
 */
export function acquireLease(file: string, what: string, options: LeaseOptions = {}): Lease {
  const now = options.now ?? Date.now;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, ownerText(now()), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    assertNotHeld(file, what, options);
    fs.rmSync(file, { force: true });
  }
  let last = now();
  let held = true;
  let lost: LcaError | null = null;
  const lease: Lease = {
    file,
    heartbeat() {
      if (lost) throw lost;
      if (!held || now() - last < HEARTBEAT_MS) return;
      const holder = readHolder(file);
      if (!holder || !isOurs(holder)) {
        held = false;
        clearInterval(timer);
        lost = new LcaError(`${what}: lost the lease to ${holder ? describeHolder(holder, now()) : 'someone who removed its owner file'}; stopping`);
        throw lost;
      }
      last = now();
      fs.writeFileSync(file, ownerText(last));
    },
    release() {
      if (!held) return;
      held = false;
      clearInterval(timer);
      const holder = readHolder(file);
      if (holder && isOurs(holder)) fs.rmSync(file, { force: true });
    },
  };
  // Renews while the event loop is free; loops that never yield call heartbeat() themselves.
  const timer = setInterval(() => {
    try {
      lease.heartbeat();
    } catch {
      // reported by the holder's own next heartbeat() call
    }
  }, HEARTBEAT_MS);
  timer.unref();
  return lease;
}
