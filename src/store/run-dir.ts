// A run directory is built in a staging folder beside it, `<dir>.partial`, and renamed into place
// when complete, so a killed `lca train` never leaves a half-written run. --force replaces only a run
// directory (one with manifest.json) or a staging folder holding nothing but lca's own files; the
// staging folder's name is stable so that `--resume` finds a killed training, and its `owner` lease
// (src/store/lease.ts) keeps two live trainings, on this host or another, out of it.
import fs from 'node:fs';
import path from 'node:path';
import { ExistsError, InputError } from '../errors.js';
import { CHECKPOINT_FILE } from './checkpoint.js';
import { ITERATE_LOG_FILE } from './iterate-log.js';
import { acquireLease, assertNotHeld, type Lease } from './lease.js';
import { MANIFEST_FILE } from './manifest.js';
import { STAGED_CONFIG_FILE } from './staged-run.js';
import { WEIGHTS_FILE } from './weights.js';

const OWNER_FILE = 'owner';
/** Everything lca writes in a staging folder (model.onnx: `lca import`'s copy of the graph); anything else means the folder is not ours. */
const STAGING_FILES = new Set([OWNER_FILE, STAGED_CONFIG_FILE, CHECKPOINT_FILE, ITERATE_LOG_FILE, WEIGHTS_FILE, MANIFEST_FILE, 'model.onnx']
  .flatMap((name) => [name, `${name}.tmp`]));

export interface StagedDir {
  staging: string;
  lease: Lease;
  /** Moves the staging folder to its final name (replacing an older run only under --force). */
  commit(): void;
  /** Removes the staging folder after a failure. */
  abandon(): void;
  /** Leaves the staging folder for a later --resume, and gives up the lease. */
  release(): void;
}

export interface StageOptions {
  force: boolean;
  resume?: boolean;
  /** Take over a staging folder whose lease another host still holds. */
  breakLock?: boolean;
}

export const stagingPath = (dir: string): string => `${path.resolve(dir)}.partial`;
/** Where --force parks the run it replaces between the two renames (removed right after). */
const replacedPath = (dir: string): string => `${stagingPath(dir)}.replaced`;

const lstat = (p: string): fs.Stats | null => {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
};

/** A few of a folder's entries, for an error that says what --force would have deleted. */
function sample(dir: string): string {
  const names = fs.readdirSync(dir);
  if (names.length === 0) return 'nothing';
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/** An existing `dir` may be replaced only with --force, and only when it is a run directory. */
export function assertWritable(dir: string, force: boolean): void {
  const stat = lstat(dir);
  if (!stat) return;
  if (!force) throw new ExistsError(`${dir} already exists; pass --force to replace it`);
  const only = '--force replaces only a run directory (one with manifest.json)';
  if (stat.isSymbolicLink()) throw new ExistsError(`${dir} is a symbolic link; ${only}, never through a link`);
  if (!stat.isDirectory()) throw new ExistsError(`${dir} is a file, not a run directory; ${only}`);
  const inside = path.relative(path.resolve(dir), process.cwd());
  if (!inside.startsWith('..') && !path.isAbsolute(inside)) {
    throw new ExistsError(`${dir} is the current directory or holds it; --force will not replace it (choose another --out)`);
  }
  if (!fs.existsSync(path.join(dir, MANIFEST_FILE))) {
    throw new ExistsError(`${dir} is not a run directory (no ${MANIFEST_FILE}; it holds ${sample(dir)}); ${only}`);
  }
}

/** Refuses a staging folder with anything lca did not write, or a link where a file should be: links are never followed. */
function assertOurStaging(staging: string): void {
  if (!lstat(staging)?.isDirectory()) throw new ExistsError(`${staging} is not a staging folder of lca train; move it away`);
  for (const name of fs.readdirSync(staging)) {
    const stat = lstat(path.join(staging, name));
    if (!STAGING_FILES.has(name)) throw new ExistsError(`${staging} holds ${name}, which lca train does not write; it is not a staging folder of ours, so lca leaves it alone`);
    if (!stat?.isFile()) throw new ExistsError(`${path.join(staging, name)} is not a regular file (a link?); lca does not follow it`);
  }
}

/**
 * A fresh staging folder, or with `resume` the one a killed training left. Fresh: a leftover one is
 * an error unless --force (which starts over), since it may hold hours of training.
 */
export function stageDir(dir: string, options: StageOptions): StagedDir {
  const { force, resume = false, breakLock = false } = options;
  const staging = stagingPath(dir);
  const owner = path.join(staging, OWNER_FILE);
  if (resume && !lstat(staging) && lstat(dir)) throw new InputError(`${dir} is a finished run: nothing to resume`);
  assertWritable(dir, force);
  let lease: Lease;
  if (resume) {
    if (!lstat(staging)) throw new InputError(`${staging}: nothing to resume (no killed training of ${dir} was found)`);
    assertOurStaging(staging);
    lease = acquireLease(owner, staging, { breakLock });
  } else {
    fs.mkdirSync(path.dirname(staging), { recursive: true });
    if (lstat(staging)) {
      assertNotHeld(owner, staging, { breakLock });
      if (!force) throw new ExistsError(`${staging} holds a killed training of ${dir}; pass --resume to continue it, or --force to start over`);
      assertOurStaging(staging);
      fs.rmSync(staging, { recursive: true, force: true });
    } else if (lstat(dir)) {
      fs.rmSync(replacedPath(dir), { recursive: true, force: true }); // a --force killed after both renames
    }
    try {
      fs.mkdirSync(staging);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ExistsError(`${staging} was just created by another training of ${dir}`);
      throw err;
    }
    lease = acquireLease(owner, staging);
  }
  return {
    staging,
    lease,
    commit() {
      assertWritable(dir, force);
      lease.release();
      const replaced = replacedPath(dir);
      // A kill between the renames leaves the complete run in `staging`, which --resume commits.
      fs.rmSync(replaced, { recursive: true, force: true });
      if (lstat(dir)) fs.renameSync(dir, replaced);
      fs.renameSync(staging, dir);
      fs.rmSync(replaced, { recursive: true, force: true });
    },
    abandon() {
      lease.release();
      fs.rmSync(staging, { recursive: true, force: true });
    },
    release() {
      lease.release();
    },
  };
}
