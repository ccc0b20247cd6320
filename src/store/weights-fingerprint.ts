// The fingerprint of a run's weights.arrow: the sha256 of its bytes (`sha256sum weights.arrow`), which
// every LCA and gradients part records so that a part computed from other weights (a run replaced by
// `train --force`, a part copied from another run) is refused. Hashing a 5 GB file takes seconds, so
// the result is kept in `lca/weights.sha256` beside the parts, valid while the file's size, mtime and inode stay.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { WEIGHTS_FILE } from './weights.js';

const CACHE_FILE = 'weights.sha256';

interface Cached { bytes: number; mtime_ms: number; inode: number; sha256: string }

const identity = (stat: fs.Stats) => ({ bytes: stat.size, mtime_ms: stat.mtimeMs, inode: stat.ino });

export function statWeights(run: string): fs.Stats {
  const file = path.join(run, WEIGHTS_FILE);
  try {
    return fs.statSync(file);
  } catch (err) {
    throw new InputError(`${file}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Whether two stats are of the same, unchanged file. */
export const sameFile = (a: fs.Stats, b: fs.Stats): boolean => a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 of `run/weights.arrow`, from the cache when the file is unchanged since it was hashed. */
export async function weightsFingerprint(run: string): Promise<string> {
  const stat = statWeights(run);
  const cacheFile = path.join(run, 'lca', CACHE_FILE);
  try {
    const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Cached;
    const now = identity(stat);
    if (cached.bytes === now.bytes && cached.mtime_ms === now.mtime_ms && cached.inode === now.inode && /^[0-9a-f]{64}$/.test(cached.sha256)) return cached.sha256;
  } catch {
    // no cache, or an unreadable one: hash
  }
  const sha256 = await hashFile(path.join(run, WEIGHTS_FILE));
  if (!sameFile(stat, statWeights(run))) throw new InputError(`${path.join(run, WEIGHTS_FILE)} changed while it was being read; is a training replacing ${run}?`);
  if (!fs.existsSync(path.dirname(cacheFile))) return sha256; // nothing computed yet: no cache to keep
  try { // best effort: a read-only run is still readable, only slower
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify({ ...identity(stat), sha256 }) + '\n');
    fs.renameSync(temporary, cacheFile);
  } catch {
    // not writable: fine
  }
  return sha256;
}
