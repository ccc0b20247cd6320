// Part files in progress: `.part-<first>-<last>.arrow.<host>.<pid>.tmp`, renamed into place when
// complete. Readers never see them (the name is hidden and does not match `part-*.arrow`); one left
// by a killed process is removed by the next compute on the same host once its pid is gone. Another
// host's are left alone, since its pids cannot be checked from here (see docs/formats.md).
import fs from 'node:fs';
import path from 'node:path';
import { pidAlive, thisHost } from '../util/process.js';

const TEMPORARY_PATTERN = /^\.(part-\d+-\d+\.arrow)\.(.+)\.(\d+)\.tmp$/;

export interface Temporary {
  file: string;
  part: string;
  host: string;
  pid: number;
}


export const temporaryName = (partName: string): string => `.${partName}.${thisHost()}.${process.pid}.tmp`;

export function listTemporaries(dir: string): Temporary[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((name) => {
    const m = TEMPORARY_PATTERN.exec(name);
    return m ? [{ file: path.join(dir, name), part: m[1], host: m[2], pid: Number(m[3]) }] : [];
  });
}

/** Removes this host's temporaries whose process has ended; returns the files removed. */
export function removeStaleTemporaries(dir: string, alive: (pid: number) => boolean = pidAlive): string[] {
  const stale = listTemporaries(dir).filter((t) => t.host === thisHost() && !alive(t.pid));
  for (const t of stale) fs.rmSync(t.file, { force: true });
  return stale.map((t) => t.file);
}
