// A run directory is built in a staging folder beside it and renamed into place when complete,
// so a killed `lca train` never leaves a half-written run, and an existing run is replaced only
// when the user passed --force.
import fs from 'node:fs';
import path from 'node:path';
import { ExistsError } from '../errors.js';

export interface StagedDir {
  staging: string;
  /** Moves the staging folder to its final name (replacing an older run only under --force). */
  commit(): void;
  /** Removes the staging folder after a failure. */
  abandon(): void;
}

export function assertWritable(dir: string, force: boolean): void {
  if (fs.existsSync(dir) && !force) throw new ExistsError(`${dir} already exists; pass --force to replace it`);
}

export function stageDir(dir: string, force: boolean): StagedDir {
  assertWritable(dir, force);
  fs.mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  const staging = fs.mkdtempSync(`${path.resolve(dir)}.partial-`);
  return {
    staging,
    commit() {
      assertWritable(dir, force);
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
  };
}
