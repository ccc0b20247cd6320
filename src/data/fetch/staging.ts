// The hidden per-process folder downloads are written to inside the target folder (so that installing
// is a rename), and the removal of ones that killed fetches left behind.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { pidAlive, thisHost } from '../../util/process.js';

// `.lca-fetch.<host>.<pid>.tmp`: hidden, so no loader or glob sees it; host and pid say whose it is.
const PATTERN = /^\.lca-fetch\.(.+)\.(\d+)\.tmp$/;

/** Creates `dir` (and its parents) if needed; returns the first folder it created, so a failure can undo it. */
export function ensureDir(dir: string): string | undefined {
  try {
    return mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)}); choose another folder with --dir`);
  }
}

/** A fresh staging folder in `dir`, after removing this host's that belong to processes that have ended. */
export function openStaging(dir: string): string {
  for (const name of readdirSync(dir)) {
    const m = PATTERN.exec(name);
    if (m !== null && m[1] === thisHost() && !pidAlive(Number(m[2]))) rmSync(join(dir, name), { recursive: true, force: true });
  }
  const staging = join(dir, `.lca-fetch.${thisHost()}.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InputError(`cannot write to ${dir} (${code}); choose another folder with --dir or LCA_DATA_DIR`);
  }
  return staging;
}

/** Removes the staging folder, and the folders ensureDir created when the fetch left `dir` empty. */
export function closeStaging(staging: string, dir: string, created: string | undefined): void {
  rmSync(staging, { recursive: true, force: true });
  if (created !== undefined && readdirSync(dir).length === 0) rmSync(created, { recursive: true, force: true });
}
