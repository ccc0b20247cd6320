// A run directory is built in a staging folder beside it, `<dir>.partial`, and renamed into place
// when complete, so a killed `lca train` never leaves a half-written run, and an existing run is
// replaced only when the user passed --force. The staging folder's name is stable so that
// `lca train --resume` finds a killed training's checkpoint; an `owner` file (host and pid) keeps two
// live trainings out of the same folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExistsError, InputError } from '../errors.js';
import { pidAlive } from '../util/process.js';

const OWNER_FILE = 'owner';

export interface StagedDir {
  staging: string;
  /** Moves the staging folder to its final name (replacing an older run only under --force). */
  commit(): void;
  /** Removes the staging folder after a failure. */
  abandon(): void;
  /** Leaves the staging folder for a later --resume, and gives up ownership. */
  release(): void;
}

export const stagingPath = (dir: string): string => `${path.resolve(dir)}.partial`;

export function assertWritable(dir: string, force: boolean): void {
  if (fs.existsSync(dir) && !force) throw new ExistsError(`${dir} already exists; pass --force to replace it`);
}

function assertUnowned(staging: string): void {
  let owner: string;
  try {
    owner = fs.readFileSync(path.join(staging, OWNER_FILE), 'utf8');
  } catch {
    return;
  }
  const [host, pid] = owner.trim().split(' ');
  if (host === os.hostname() && pidAlive(Number(pid)) && Number(pid) !== process.pid) {
    throw new ExistsError(`${staging} is being written by process ${pid}; wait for it or stop it first`);
  }
}

/**
 * A fresh staging folder, or with `resume` the one a killed training left. Fresh: a leftover one is
 * an error unless --force (which starts over), since it may hold hours of training.
 */
export function stageDir(dir: string, force: boolean, resume = false): StagedDir {
  assertWritable(dir, force);
  const staging = stagingPath(dir);
  if (resume) {
    if (!fs.existsSync(staging)) throw new InputError(`${staging}: nothing to resume (no killed training of ${dir} was found)`);
    assertUnowned(staging);
  } else {
    fs.mkdirSync(path.dirname(staging), { recursive: true });
    if (fs.existsSync(staging)) {
      assertUnowned(staging);
      if (!force) throw new ExistsError(`${staging} holds a killed training of ${dir}; pass --resume to continue it, or --force to start over`);
      fs.rmSync(staging, { recursive: true, force: true });
    }
    try {
      fs.mkdirSync(staging);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ExistsError(`${staging} was just created by another training of ${dir}`);
      throw err;
    }
  }
  const owner = path.join(staging, OWNER_FILE);
  fs.writeFileSync(owner, `${os.hostname()} ${process.pid}\n`);
  return {
    staging,
    commit() {
      assertWritable(dir, force);
      fs.rmSync(owner, { force: true });
      if (fs.existsSync(dir)) {
        const old = fs.mkdtempSync(`${path.resolve(dir)}.old-`);
        fs.renameSync(dir, path.join(old, 'run'));
        fs.renameSync(staging, dir);
        fs.rmSync(old, { recursive: true, force: true });
      } else {
        fs.renameSync(staging, dir);
      }
    },
    abandon() {
      fs.rmSync(staging, { recursive: true, force: true });
    },
    release() {
      fs.rmSync(owner, { force: true });
    },
  };
}
